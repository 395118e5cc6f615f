package dev.ncps.lock;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The {@code cache.lock.*} options that every backend shares.
 *
 * @param keyPrefix          prepended to every key ({@code cache.lock.redis.key-prefix}, default {@code ncps:lock:})
 * @param maxAttempts        attempts of {@link Locks#acquire} ({@code cache.lock.retry.max-attempts}, default 3)
 * @param initialDelay       backoff before the first retry ({@code cache.lock.retry.initial-delay}, default 100ms)
 * @param maxDelay           cap of the exponential part ({@code cache.lock.retry.max-delay}, default 2s)
 * @param jitter             add up to 50% random delay ({@code cache.lock.retry.jitter}, default true)
 * @param allowDegradedMode  fall back to in-process locks while Redis is down
 *                           ({@code cache.lock.allow-degraded-mode}, default false)
 */
public record LockSettings(String keyPrefix, int maxAttempts, Duration initialDelay, Duration maxDelay,
                           boolean jitter, boolean allowDegradedMode) {

    /**
     * Longer delays make no sense for a lock retry, and keep every computation far from overflow.
     * Declared before DEFAULTS, whose construction validates against it.
     */
    private static final Duration LONGEST_DELAY = Duration.ofHours(1);

    public static final LockSettings DEFAULTS =
            new LockSettings("ncps:lock:", 3, Duration.ofMillis(100), Duration.ofSeconds(2), true, false);

    /** The Go ncps' DefaultJitterFactor: jitter is uniform in [0, 0.5·delay]. */
    static final double JITTER_FACTOR = 0.5;

    public LockSettings {
        if (keyPrefix == null) {
            throw new IllegalArgumentException("cache.lock.redis.key-prefix must not be null (use \"\" for no prefix)");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(
                    "cache.lock.retry.max-attempts: " + maxAttempts + " is not allowed; it must be at least 1");
        }
        requireDelay("cache.lock.retry.initial-delay", initialDelay);
        requireDelay("cache.lock.retry.max-delay", maxDelay);
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("cache.lock.retry.max-delay (" + maxDelay
                    + ") must not be shorter than cache.lock.retry.initial-delay (" + initialDelay + ")");
        }
    }

    private static void requireDelay(String key, Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(LONGEST_DELAY) > 0) {
            throw new IllegalArgumentException(key + ": " + delay + " is not allowed; it must be between 0 and 1h");
        }
    }

    public LockSettings withKeyPrefix(String prefix) {
        return new LockSettings(prefix, maxAttempts, initialDelay, maxDelay, jitter, allowDegradedMode);
    }

    public LockSettings withRetry(int attempts, Duration initial, Duration max, boolean withJitter) {
        return new LockSettings(keyPrefix, attempts, initial, max, withJitter, allowDegradedMode);
    }

    public LockSettings withAllowDegradedMode(boolean allow) {
        return new LockSettings(keyPrefix, maxAttempts, initialDelay, maxDelay, jitter, allow);
    }

    /**
     * The wait before retry {@code attempt} (1 for the first retry): {@code initial·2^(attempt−1)} capped at
     * the max delay, plus {@code random·0.5·delay} when jitter is on.
     *
     * @param random a value in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}
     */
    public Duration backoff(int attempt, DoubleSupplier random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("retry attempts count from 1, got " + attempt);
        }
        long initial = initialDelay.toNanos();
        long max = maxDelay.toNanos();
        int shift = attempt - 1;
        // initial·2^shift > max exactly when initial > ⌊max / 2^shift⌋, so the shift below cannot overflow.
        long delay = shift >= Long.SIZE - 1 || initial > (max >> shift) ? max : initial << shift;
        if (jitter) {
            double r = random.getAsDouble();
            if (!(r >= 0 && r < 1)) {
                throw new IllegalArgumentException("jitter source must give values in [0, 1), got " + r);
            }
            delay += (long) (r * JITTER_FACTOR * delay);
        }
        return Duration.ofNanos(delay);
    }
}
