package dev.ncps.lock;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Time and chance as the lock code sees them, injectable so that tests control expiry, backoff sleeps
 * and jitter.
 *
 * @param clock  lease expiry of the local backend, hold durations, the circuit breaker
 * @param sleep  the backoff wait between attempts
 * @param random jitter source, values in [0, 1)
 */
record Timing(Clock clock, Sleeper sleep, DoubleSupplier random) {
    static final Timing SYSTEM = new Timing(Clock.systemUTC(), Thread::sleep,
            () -> ThreadLocalRandom.current().nextDouble());

    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }
}
