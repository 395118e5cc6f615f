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
     * @param database the index's pool; may be null unless the backend is postgres
     * @throws LockException when the backend cannot be reached and degraded mode does not allow starting
     */
    public static Locks open(LockBackendSettings configured, DataSource database, LockListener listener) throws LockException {
        LockSettings settings = configured.settings();
        return switch (configured.backend()) {
            case LOCAL -> new LocalLocks(settings, listener);
            case REDIS -> {
                RedisSettings redis = configured.redis().filter(RedisSettings::configured).orElseThrow(() ->
                        new IllegalArgumentException("cache.lock.backend: redis needs cache.redis.addrs (host:port)"));
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
