package dev.ncps.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** Builds the {@link Locks} that {@code cache.lock.backend} asks for. */
public final class LockBackends {
    private static final Logger log = LoggerFactory.getLogger(LockBackends.class);

    private LockBackends() {}

    /**
     * The backend that will really run. As in the Go ncps, {@code local} with {@code cache.redis.addrs} set
     * means redis (with a warning): the HA guide configures only the addresses.
     */
    public static LockBackend effective(LockBackend configured, RedisSettings redis) {
        boolean redisConfigured = redis != null && redis.configured();
        if (configured == LockBackend.LOCAL && redisConfigured) {
            log.warn("cache.lock.backend is local but cache.redis.addrs is set; using the redis lock backend");
            return LockBackend.REDIS;
        }
        if (configured == LockBackend.REDIS && !redisConfigured) {
            throw new IllegalArgumentException("cache.lock.backend: redis needs cache.redis.addrs (host:port)");
        }
        if (configured == LockBackend.POSTGRES && redisConfigured) {
            log.warn("cache.lock.backend is postgres; cache.redis.addrs is not used");
        }
        return configured;
    }

    /**
     * Opens the locks.
     *
     * @param redis    {@code cache.redis.*}; may be null unless the effective backend is redis
     * @param database the index's pool; may be null unless the backend is postgres
     * @throws LockException when the backend cannot be reached and degraded mode does not allow starting
     */
    public static Locks open(LockBackend configured, LockSettings settings, RedisSettings redis, DataSource database,
                             LockMetrics metrics) throws LockException {
        return switch (effective(configured, redis)) {
            case LOCAL -> new LocalLocks(settings, metrics);
            case REDIS -> new RedisLocks(redis, settings, metrics);
            case POSTGRES -> {
                if (database == null) {
                    throw new IllegalArgumentException(
                            "cache.lock.backend: postgres needs cache.database-url to be a PostgreSQL database");
                }
                yield new PostgresLocks(database, settings, metrics);
            }
        };
    }
}
