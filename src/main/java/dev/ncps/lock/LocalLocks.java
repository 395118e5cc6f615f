package dev.ncps.lock;

/**
 * Leases inside this process, for a single instance (and the fallback of {@link RedisLocks} in degraded
 * mode). Unlike the Go ncps' local locker, TTLs are honoured: an unrenewed lease expires, so the cache
 * core runs the same code path with one instance as with many.
 */
public final class LocalLocks extends LeaseLocks {
    private final LocalLeaseStore store;

    public LocalLocks(LockSettings settings, LockListener listener) {
        this(settings, listener, Timing.SYSTEM);
    }

    LocalLocks(LockSettings settings, LockListener listener, Timing timing) {
        super(settings, listener, timing);
        this.store = new LocalLeaseStore(timing.clock());
    }

    @Override
    LeaseStore route() {
        return store;
    }

    @Override
    public String mode() {
        return "local";
    }

    @Override
    public void close() {
        store.close();
    }
}
