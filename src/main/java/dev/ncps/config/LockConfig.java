package dev.ncps.config;

import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.RedisSettings;
import java.time.Duration;
import java.util.Optional;

/**
 * @param redis present when Redis addresses are configured (always with the Redis backend)
 * @param settings what every backend shares: key prefix, retries, degraded mode
 * @param downloadTtl lease of a download lock, renewed while it makes progress
 * @param lruTtl lease of the LRU lock
 */
public record LockConfig(LockBackend backend, Optional<RedisSettings> redis, LockSettings settings, Duration downloadTtl,
                         Duration lruTtl) {}
