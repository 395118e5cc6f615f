package dev.ncps.config;

import dev.ncps.lock.LockBackend;
import java.time.Duration;
import java.util.Optional;

/**
 * @param redis present when Redis addresses are configured (always with the Redis backend)
 * @param downloadTtl lease of a download lock, renewed while it makes progress
 * @param lruTtl lease of the LRU lock
 * @param allowDegradedMode fall back to in-process locks when the backend is unreachable
 */
public record LockConfig(LockBackend backend, Optional<RedisConfig> redis, String redisKeyPrefix, Duration downloadTtl,
                         Duration lruTtl, Retry retry, boolean allowDegradedMode) {
    /** Exponential backoff: the delay before attempt k+1 is {@code initialDelay·2^(k-1)}, capped. */
    public record Retry(int maxAttempts, Duration initialDelay, Duration maxDelay, boolean jitter) {}
}
