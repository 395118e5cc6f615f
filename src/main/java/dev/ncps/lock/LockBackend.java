package dev.ncps.lock;

/** The {@code cache.lock.backend} values (parsed by the config loader, {@code Options.CACHE_LOCK_BACKEND}). */
public enum LockBackend {
    /** In-process leases: one instance only. The default. */
    LOCAL,
    /** Redis ({@code cache.redis.*}), as in the Go ncps. */
    REDIS,
    /** A table in the PostgreSQL database of {@code cache.database-url}: our extension. */
    POSTGRES
}
