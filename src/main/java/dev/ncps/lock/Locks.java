package dev.ncps.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * Leases shared by the instances of one cache (in-process for a single instance; Redis or PostgreSQL
 * for a cluster). A lock here prevents duplicate work (two upstream downloads of one NAR, two LRU runs
 * at once); correctness never depends on it, so a single Redis with SET NX PX is enough.
 *
 * <p>Every lease has a TTL, is renewed while its work makes progress, and is released in
 * {@code finally}; a holder that dies stops renewing and its lease expires. Each lease carries a value
 * chosen by its holder (the download owner's internal address), readable by the others.
 */
public interface Locks extends AutoCloseable {

    /** One attempt: the lease, or empty when another holder has it. */
    Optional<Lease> tryAcquire(String key, Duration ttl, String value) throws LockException;

    /**
     * Attempts with exponential backoff and jitter as {@code cache.lock.retry.*} says; empty when the
     * attempts ran out while someone else held it.
     */
    Optional<Lease> acquire(String key, Duration ttl, String value) throws LockException;

    /** The value of the current holder, empty when nobody holds the key. */
    Optional<String> holder(String key) throws LockException;

    /**
     * Replaces a holder known to be dead: succeeds only if the lease still carries {@code deadValue},
     * so two instances noticing the same death cannot both take over.
     */
    Optional<Lease> takeOver(String key, String deadValue, Duration ttl, String value) throws LockException;

    /**
     * The backend: "local", "redis" or "postgres". (The {@code mode} label of the lock metrics keeps the
     * Go ncps values: "local" for in-process leases, including Redis' degraded fallback, "distributed" otherwise.)
     */
    String mode();

    @Override
    void close();

    /** A held lock. Closing releases it, if it is still ours. */
    interface Lease extends AutoCloseable {
        String key();

        /** Extends the TTL; false when the lease was lost (expired and taken by another holder). */
        boolean renew() throws LockException;

        @Override
        void close();
    }
}
