package dev.ncps.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Whether the database takes writes, for readiness. The answer is the outcome of the latest write; when nothing
 * wrote for {@link #STALE} it is refreshed by a probe write started in the background. The caller never waits for
 * the database (a readiness check must answer at once, also when the database hangs); a probe that has not
 * finished after {@link #HANGING} counts as a failure.
 */
final class WriteHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteHealth.class);
    static final Duration STALE = Duration.ofSeconds(2);
    static final Duration HANGING = Duration.ofSeconds(10);
    private static final String FAILING = "database writes fail";

    @FunctionalInterface
    interface Probe {
        void write() throws IndexException;
    }

    private final Probe probe;
    private final LongSupplier nanoTime;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean failing;
    private volatile long checkedAt;
    private volatile long probeStartedAt;
    private volatile boolean closed;

    WriteHealth(Probe probe, LongSupplier nanoTime) {
        this.probe = probe;
        this.nanoTime = nanoTime;
        this.checkedAt = nanoTime.getAsLong();
    }

    void writeSucceeded() {
        if (failing) {
            log.info("database writes succeed again");
        }
        failing = false;
        checkedAt = nanoTime.getAsLong();
    }

    void writeFailed(IndexException cause) {
        if (!failing) {
            log.warn("database writes fail, readiness is off until one succeeds: {}", cause.getMessage());
        }
        failing = true;
        checkedAt = nanoTime.getAsLong();
    }

    /** Empty when the database took the latest write, else a one-line reason without internals (for /readyz). */
    Optional<String> problem() {
        long now = nanoTime.getAsLong();
        if (probing.get() && now - probeStartedAt > HANGING.toNanos()) {
            return Optional.of("database does not answer");
        }
        if (now - checkedAt > STALE.toNanos() && !closed && probing.compareAndSet(false, true)) {
            probeStartedAt = now;
            Thread.ofVirtual().name("index-write-probe").start(this::runProbe);
        }
        return failing ? Optional.of(FAILING) : Optional.empty();
    }

    private void runProbe() {
        try {
            probe.write();
        } catch (IndexException | RuntimeException e) {
            // A failed write is recorded by writeFailed; a closed pool only means we are shutting down.
        } finally {
            probing.set(false);
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
