package dev.ncps.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Per-upstream breaker: after {@code threshold} consecutive failures it opens for {@code cooldown}, so a dead
 * or hanging upstream costs its timeout a bounded number of times instead of on every miss. After the cooldown
 * it is half-open: exactly one request (the probe) may pass; its success closes the breaker, its failure opens
 * it for another cooldown.
 */
final class UpstreamBreaker {

    enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final Duration cooldown;
    private final Clock clock;

    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean probeInFlight;

    UpstreamBreaker(int threshold, Duration cooldown, Clock clock) {
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.clock = clock;
    }

    /** Whether a request could pass now, without claiming the half-open probe. */
    synchronized boolean wouldAllow() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> cooldownOver();
            case HALF_OPEN -> !probeInFlight;
        };
    }

    /** Claims permission for one request; in the half-open state only the first caller gets it. */
    synchronized boolean tryAcquire() {
        if (state == State.OPEN && cooldownOver()) {
            state = State.HALF_OPEN;
            probeInFlight = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (probeInFlight) {
                    yield false;
                }
                probeInFlight = true;
                yield true;
            }
        };
    }

    synchronized void recordSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        probeInFlight = false;
    }

    synchronized void recordFailure() {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
            state = State.OPEN;
            openedAt = clock.instant();
            probeInFlight = false;
        }
    }

    /** A request that was allowed but ended without telling anything about the upstream's health. */
    synchronized void recordNeutral() {
        probeInFlight = false;
    }

    synchronized State state() {
        return state == State.OPEN && cooldownOver() ? State.HALF_OPEN : state;
    }

    private boolean cooldownOver() {
        return !clock.instant().isBefore(openedAt.plus(cooldown));
    }
}
