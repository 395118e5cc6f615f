package dev.ncps.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops calling Redis after {@code threshold} consecutive connection errors, for {@code openFor}; then lets
 * one probe through (and restarts the timer), and closes on the first success, as the Go ncps's
 * {@code pkg/circuitbreaker} (docs/design/locks.md, "Circuit breaker and degraded mode"), which waits a minute
 * between probes where this waits {@link #DEFAULT_OPEN_FOR}.
 * Errors where Redis answered (a script error, a full pool) do not count: the breaker is about reachability.
 */
final class ReachabilityBreaker {
    static final int DEFAULT_THRESHOLD = 5;
    /**
     * Between probes while open. Short, so that misses work again within seconds of Redis coming back; a probe
     * costs one request a connection error (instant when refused, the client timeout when Redis is unroutable).
     */
    static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(3);

    /** Told about each transition once, outside the breaker's lock. */
    interface Listener {
        /** {@code failures} is 0 when forced open at startup. */
        void opened(int failures);

        void closed();

        /** A call failed to reach Redis after one that reached it ({@code false}), or the reverse. */
        default void reachability(boolean reached) {}
    }

    private final int threshold;
    private final Duration openFor;
    private final Clock clock;
    private final Listener listener;

    private int consecutiveFailures;
    /** Null while closed; while open, when the current open period (or last probe) began. */
    private Instant openedAt;

    ReachabilityBreaker(int threshold, Duration openFor, Clock clock, Listener listener) {
        if (threshold < 1 || openFor.isNegative()) {
            throw new IllegalArgumentException("circuit breaker needs threshold >= 1 and openFor >= 0");
        }
        this.threshold = threshold;
        this.openFor = openFor;
        this.clock = clock;
        this.listener = listener;
    }

    /** Whether a call may go to Redis now: always while closed; once per open period while open. */
    synchronized boolean allowRequest() {
        if (openedAt == null) {
            return true;
        }
        Instant now = clock.instant();
        if (now.isBefore(openedAt.plus(openFor))) {
            return false;
        }
        openedAt = now;
        return true;
    }

    synchronized boolean isOpen() {
        return openedAt != null;
    }

    void success() {
        boolean wasOpen;
        boolean wasFailing;
        synchronized (this) {
            wasFailing = consecutiveFailures > 0;
            consecutiveFailures = 0;
            wasOpen = openedAt != null;
            openedAt = null;
        }
        if (wasFailing || wasOpen) {
            listener.reachability(true);
        }
        if (wasOpen) {
            listener.closed();
        }
    }

    void failure() {
        int failures;
        boolean opens;
        synchronized (this) {
            failures = ++consecutiveFailures;
            boolean open = openedAt != null;
            opens = !open && failures >= threshold;
            if (open || opens) {
                openedAt = clock.instant();
            }
        }
        if (failures == 1) {
            listener.reachability(false);
        }
        if (opens) {
            listener.opened(failures);
        }
    }

    /** Starts open, as after a failed probe: used when Redis is unreachable at startup. */
    void forceOpen() {
        synchronized (this) {
            if (openedAt != null) {
                return;
            }
            openedAt = clock.instant();
        }
        listener.opened(0);
    }
}
