package dev.ncps.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lease semantics shared by every backend: random tokens, retries with backoff, events and logs.
 * A subclass only says which {@link LeaseStore} serves the next operation; a lease stays bound to the
 * store that granted it (so a lease taken in degraded mode is released locally, not in Redis).
 */
abstract class LeaseLocks implements Locks {
    private static final Logger log = LoggerFactory.getLogger(Locks.class);
    /** Keys of download leases are logged at INFO: the HA troubleshooting guide greps for this phrase. */
    private static final String DOWNLOAD_PREFIX = "download:";

    final LockSettings settings;
    final LockListener listener;
    final Timing timing;

    LeaseLocks(LockSettings settings, LockListener listener, Timing timing) {
        this.settings = settings;
        this.listener = listener;
        this.timing = timing;
    }

    /** The store for an operation that does not belong to an existing lease. */
    abstract LeaseStore route() throws LockException;

    /**
     * Where to retry an operation that {@code failed} could not serve, or null to let the error through.
     * Degraded mode uses it so that a request arriving before the circuit breaker opens is not refused.
     */
    LeaseStore fallback(LeaseStore failed, LockException cause) {
        return null;
    }

    /** The store a lease granted by {@code granting} renews and releases on. */
    LeaseStore leaseStore(LeaseStore granting) {
        return granting;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration ttl, String value) throws LockException {
        check(key, ttl, value);
        return attempt(key, ttl, value, timing.clock().instant()).lease();
    }

    @Override
    public Optional<Lease> acquire(String key, Duration ttl, String value) throws LockException {
        check(key, ttl, value);
        Instant started = timing.clock().instant();
        for (int retry = 0; ; retry++) {
            if (retry > 0) {
                pause(key, retry);
            }
            Attempt attempt = attempt(key, ttl, value, started);
            if (attempt.lease().isPresent()) {
                return attempt.lease();
            }
            if (retry + 1 >= settings.maxAttempts()) {
                listener.onFailure(key, attempt.mode(), LockListener.MAX_RETRIES);
                log.debug("lock {} still held after {} attempts, giving up", key, settings.maxAttempts());
                return Optional.empty();
            }
        }
    }

    private void pause(String key, int retry) throws LockException {
        Duration delay = settings.backoff(retry, timing.random());
        log.debug("lock contention on {}, retrying in {}ms (retry {}/{})",
                key, delay.toMillis(), retry, settings.maxAttempts() - 1);
        listener.onRetry(key);
        try {
            timing.sleep().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockException(LockException.Reason.CONTEXT_CANCELED,
                    "interrupted while waiting to retry lock " + key, e);
        }
    }

    private record Attempt(Optional<Lease> lease, String mode) {}

    /** {@code started} is when the caller began to wait for the lock, for the log. */
    private Attempt attempt(String key, Duration ttl, String value, Instant started) throws LockException {
        LeaseStore store = route();
        try {
            return attemptOn(store, key, ttl, value, started);
        } catch (LockException e) {
            LeaseStore fallback = fallback(store, e);
            if (fallback == null) {
                throw e;
            }
            return attemptOn(fallback, key, ttl, value, started);
        }
    }

    private Attempt attemptOn(LeaseStore store, String key, Duration ttl, String value, Instant started)
            throws LockException {
        String token = UUID.randomUUID().toString();
        boolean won = acquisition(store, key, () -> store.insert(settings.keyPrefix() + key, token, value, ttl));
        return new Attempt(won ? Optional.of(granted(store, key, token, ttl, "acquired", started)) : Optional.empty(),
                store.metricsMode());
    }

    @Override
    public Optional<String> holder(String key) throws LockException {
        check(key);
        LeaseStore store = route();
        try {
            return store.value(settings.keyPrefix() + key);
        } catch (LockException e) {
            LeaseStore fallback = fallback(store, failed(store, key, e));
            if (fallback == null) {
                throw e;
            }
            return fallback.value(settings.keyPrefix() + key);
        }
    }

    @Override
    public Optional<Lease> takeOver(String key, String deadValue, Duration ttl, String value) throws LockException {
        check(key, ttl, value);
        if (deadValue == null) {
            throw new IllegalArgumentException("takeOver of lock " + key + " needs the dead holder's value");
        }
        LeaseStore store = route();
        Instant started = timing.clock().instant();
        try {
            return takeOverOn(store, key, deadValue, ttl, value, started);
        } catch (LockException e) {
            LeaseStore fallback = fallback(store, e);
            if (fallback == null) {
                throw e;
            }
            return takeOverOn(fallback, key, deadValue, ttl, value, started);
        }
    }

    private Optional<Lease> takeOverOn(LeaseStore store, String key, String deadValue, Duration ttl, String value,
                                       Instant started) throws LockException {
        String token = UUID.randomUUID().toString();
        boolean won = acquisition(store, key,
                () -> store.replace(settings.keyPrefix() + key, deadValue, token, value, ttl));
        if (won) {
            log.info("took over lock {} from dead holder {}", key, deadValue);
        }
        return won ? Optional.of(granted(store, key, token, ttl, "took over", started)) : Optional.empty();
    }

    @FunctionalInterface
    private interface StoreCall {
        boolean call() throws LockException;
    }

    /** Runs one acquisition on the store and counts its outcome. */
    private boolean acquisition(LeaseStore store, String key, StoreCall call) throws LockException {
        boolean won;
        try {
            won = call.call();
        } catch (LockException e) {
            listener.onAcquire(key, store.metricsMode(), LockListener.Outcome.FAILURE);
            throw failed(store, key, e);
        }
        listener.onAcquire(key, store.metricsMode(), won ? LockListener.Outcome.SUCCESS : LockListener.Outcome.CONTENTION);
        return won;
    }

    private LockException failed(LeaseStore store, String key, LockException e) {
        listener.onFailure(key, store.metricsMode(), e.reason().label());
        return e;
    }

    private Lease granted(LeaseStore granting, String key, String token, Duration ttl, String verb, Instant started) {
        Instant now = timing.clock().instant();
        long waited = Duration.between(started, now).toMillis();
        if (key.startsWith(DOWNLOAD_PREFIX)) {
            log.info("{} download lock {} ({}) after waiting {}ms", verb, key, granting.metricsMode(), waited);
        } else {
            log.debug("{} lock {} ({}) after waiting {}ms", verb, key, granting.metricsMode(), waited);
        }
        return new StoreLease(leaseStore(granting), key, token, ttl, now);
    }

    private static void check(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("lock key must not be blank, got " + (key == null ? "null" : "'" + key + "'"));
        }
    }

    private static void check(String key, Duration ttl, String value) {
        check(key);
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("TTL of lock " + key + " must be at least 1ms, got " + ttl);
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value of lock " + key + " must be a string without NUL characters");
        }
    }

    private final class StoreLease implements Lease {
        private final LeaseStore store;
        private final String key;
        private final String token;
        private final Duration ttl;
        private final Instant acquiredAt;
        private final AtomicBoolean released = new AtomicBoolean();

        StoreLease(LeaseStore store, String key, String token, Duration ttl, Instant acquiredAt) {
            this.store = store;
            this.key = key;
            this.token = token;
            this.ttl = ttl;
            this.acquiredAt = acquiredAt;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public boolean renew() throws LockException {
            if (released.get()) {
                return false;
            }
            try {
                boolean kept = store.extend(settings.keyPrefix() + key, token, ttl);
                if (!kept) {
                    log.warn("lock {} was lost: it expired and another holder may have it", key);
                }
                return kept;
            } catch (LockException e) {
                throw failed(store, key, e);
            }
        }

        @Override
        public void close() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            try {
                if (store.delete(settings.keyPrefix() + key, token)) {
                    Duration held = Duration.between(acquiredAt, timing.clock().instant());
                    listener.onRelease(key, store.metricsMode(), held);
                    if (key.startsWith(DOWNLOAD_PREFIX)) {
                        log.info("released download lock {} after {}ms", key, held.toMillis());
                    } else {
                        log.debug("released lock {} after {}ms", key, held.toMillis());
                    }
                } else {
                    log.warn("lock {} was already lost when released (expired before its holder finished)", key);
                }
            } catch (LockException e) {
                failed(store, key, e);
                log.warn("could not release lock {}, it will expire after its TTL of {}: {}", key, ttl, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "Lease[" + key + "]";
        }
    }
}
