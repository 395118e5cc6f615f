package dev.ncps.lock;

import java.util.Optional;

/**
 * Which {@link Locks} {@link LockBackends#open} builds: {@code cache.lock.backend}, the {@code cache.redis.*}
 * connection and what every backend shares. The config loader owns the rules between them (Redis needs
 * addresses, postgres a PostgreSQL database, several instances shared storage).
 *
 * @param redis present when Redis addresses are configured (always with the Redis backend)
 * @param settings what every backend shares: key prefix, retries, degraded mode
 */
public record LockBackendSettings(LockBackend backend, Optional<RedisSettings> redis, LockSettings settings) {}
