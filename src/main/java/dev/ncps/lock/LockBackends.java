package dev.ncps.lock;

import javax.sql.DataSource;

/** Builds the {@link Locks} that {@code cache.lock.backend} asks for. */
public final class LockBackends {
    private LockBackends() {}

    /**
     * Opens the locks.
     *
     * @param configured the backend as the configuration resolved it (config.ConfigLoader owns every rule about
     *                   which backend runs; nothing here second-guesses it)
     * @param redis    {@code cache.redis.*}; may be null unless the backend is redis
     * @param database the index's pool; may be null unless the backend is postgres
     * @throws LockException when the backend cannot be reached and degraded mode does not allow starting
     */
    public static Locks open(LockBackend configured, LockSettings settings, RedisSettings redis, DataSource database,
                             LockListener listener) throws LockException {
        return switch (configured) {
            case LOCAL -> new LocalLocks(settings, listener);
            case REDIS -> {
                if (redis == null || !redis.configured()) {
                    throw new IllegalArgumentException("cache.lock.backend: redis needs cache.redis.addrs (host:port)");
                }
                yield new RedisLocks(redis, settings, listener);
            }
            case POSTGRES -> {
                if (database == null) {
                    throw new IllegalArgumentException(
                            "cache.lock.backend: postgres needs cache.database-url to be a PostgreSQL database");
                }
                yield new PostgresLocks(database, settings, listener);
            }
        };
    }
}
