package dev.ncps.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * The five atomic operations a lock backend must offer; {@link LeaseLocks} builds the lease semantics
 * (tokens, retries, metrics, logs) on top, once for every backend. Keys arrive with the prefix applied.
 * Every operation sees only live leases: an expired one counts as absent.
 */
interface LeaseStore extends AutoCloseable {

    /** Stores the lease if nobody holds the key. */
    boolean insert(String key, String token, String value, Duration ttl) throws LockException;

    /** Extends the lease if it is still the one with this token. */
    boolean extend(String key, String token, Duration ttl) throws LockException;

    /** Removes the lease if it is still the one with this token. */
    boolean delete(String key, String token) throws LockException;

    /** The value of the live lease on the key. */
    Optional<String> value(String key) throws LockException;

    /** Replaces the live lease carrying {@code deadValue} with a new one. */
    boolean replace(String key, String deadValue, String token, String value, Duration ttl) throws LockException;

    /** "local" or "distributed": the {@code mode} label of the lock metrics, as the Go ncps names it. */
    String metricsMode();

    @Override
    void close();
}
