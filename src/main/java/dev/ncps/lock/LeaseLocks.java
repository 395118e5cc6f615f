package dev.ncps.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lease semantics shared by every backend: random tokens, retries with backoff, metrics and logs.
 * A subclass only says which {@link LeaseStore} serves the next operation; a lease stays bound to the
 * store that granted it (so a lease taken in degraded mode is released locally, not in Redis).
 */
abstract class LeaseLocks implements Locks {
    private static final Logger log = LoggerFactory.getLogger(Locks.class);
    /** Keys of download leases are logged at INFO: the HA troubleshooting guide greps for this phrase. */
    private static final String DOWNLOAD_PREFIX = "download:";

    final LockSettings settings;
    final LockMetrics metrics;
    final Timing timing;

    LeaseLocks(LockSettings settings, LockMetrics metrics, Timing timing) {
        this.settings = settings;
        this.metrics = metrics;
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
        return attempt(key, ttl, value).lease();
    }

    @Override
    public Optional<Lease> acquire(String key, Duration ttl, String value) throws LockException {
        check(key, ttl, value);
        for (int retry = 0; ; retry++) {
            if (retry > 0) {
                pause(key, retry);
            }
            Attempt attempt = attempt(key, ttl, value);
            if (attempt.lease().isPresent()) {
                return attempt.lease();
            }
            if (retry + 1 >= settings.maxAttempts()) {
                metrics.failure(key, attempt.mode(), LockMetrics.MAX_RETRIES);
                log.debug("lock {} still held after {} attempts, giving up", key, settings.maxAttempts());
                return Optional.empty();
            }
        }
    }

    private void pause(String key, int retry) throws LockException {
        Duration delay = settings.backoff(retry, timing.random());
        log.debug("lock contention on {}, retrying in {}ms (retry {}/{})",
                key, delay.toMillis(), retry, settings.maxAttempts() - 1);
        metrics.retry(key);
        try {
            timing.sleep().sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockException(LockException.Reason.CONTEXT_CANCELED,
                    "interrupted while waiting to retry lock " + key, e);
        }
    }

    private record Attempt(Optional<Lease> lease, String mode) {}

    private Attempt attempt(String key, Duration ttl, String value) throws LockException {
        LeaseStore store = route();
        try {
            return attemptOn(store, key, ttl, value);
        } catch (LockException e) {
            LeaseStore fallback = fallback(store, e);
            if (fallback == null) {
                throw e;
            }
            return attemptOn(fallback, key, ttl, value);
        }
    }

    private Attempt attemptOn(LeaseStore store, String key, Duration ttl, String value) throws LockException {
        String token = UUID.randomUUID().toString();
        boolean won = acquisition(store, key, () -> store.insert(settings.keyPrefix() + key, token, value, ttl));
        return new Attempt(won ? Optional.of(granted(store, key, token, ttl, "acquired")) : Optional.empty(),
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
        try {
            return takeOverOn(store, key, deadValue, ttl, value);
        } catch (LockException e) {
            LeaseStore fallback = fallback(store, e);
            if (fallback == null) {
                throw e;
            }
            return takeOverOn(fallback, key, deadValue, ttl, value);
        }
    }

    private Optional<Lease> takeOverOn(LeaseStore store, String key, String deadValue, Duration ttl, String value)
            throws LockException {
        String token = UUID.randomUUID().toString();
        boolean won = acquisition(store, key,
                () -> store.replace(settings.keyPrefix() + key, deadValue, token, value, ttl));
        if (won) {
            log.info("took over lock {} from dead holder {}", key, deadValue);
        }
        return won ? Optional.of(granted(store, key, token, ttl, "took over")) : Optional.empty();
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
            metrics.acquisition(key, store.metricsMode(), LockMetrics.Result.FAILURE);
            throw failed(store, key, e);
        }
        metrics.acquisition(key, store.metricsMode(), won ? LockMetrics.Result.SUCCESS : LockMetrics.Result.CONTENTION);
        return won;
    }

    private LockException failed(LeaseStore store, String key, LockException e) {
        metrics.failure(key, store.metricsMode(), e.reason().label());
        return e;
    }

    private Lease granted(LeaseStore granting, String key, String token, Duration ttl, String verb) {
        if (key.startsWith(DOWNLOAD_PREFIX)) {
            log.info("{} download lock {} ({})", verb, key, granting.metricsMode());
        } else {
            log.debug("{} lock {} ({})", verb, key, granting.metricsMode());
        }
        return new StoreLease(leaseStore(granting), key, token, ttl, timing.clock().instant());
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
                    metrics.held(key, store.metricsMode(), held);
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
