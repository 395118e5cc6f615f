package dev.ncps.lock;

import dev.ncps.lock.Locks.Lease;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalLocksTest extends LocksContract {

    @Override
    Locks open(LockSettings settings, LockListener metrics) {
        return new LocalLocks(settings, metrics);
    }

    @Override
    String metricsMode() {
        return "local";
    }

    @Test
    void acquireWaitsTheBackoffDelaysBetweenAttempts() throws Exception {
        List<Duration> waits = new ArrayList<>();
        Lease[] holder = new Lease[1];
        Timing.Sleeper sleeper = duration -> {
            waits.add(duration);
            if (waits.size() == 3) {
                holder[0].close();
            }
        };
        LockSettings settings = LockSettings.DEFAULTS.withRetry(5, Duration.ofMillis(100), Duration.ofSeconds(2), true);
        try (Locks recorded = new LocalLocks(settings, LockListener.NONE,
                new Timing(Clock.systemUTC(), sleeper, () -> 0.5))) {
            holder[0] = recorded.tryAcquire(key, LONG, "holder").orElseThrow();
            try (Lease lease = recorded.acquire(key, LONG, "waiter").orElseThrow()) {
                assertThat(recorded.holder(key)).contains("waiter");
            }
        }
        // initial·2^(k−1) plus a jitter of 0.5·0.5·delay
        assertThat(waits).containsExactly(Duration.ofMillis(125), Duration.ofMillis(250), Duration.ofMillis(500));
    }

    @Test
    void interruptedWaitSurfacesAsContextCanceled() throws Exception {
        Timing.Sleeper interrupted = duration -> {
            throw new InterruptedException("shutdown");
        };
        try (Locks recorded = new LocalLocks(LockSettings.DEFAULTS, LockListener.NONE,
                new Timing(Clock.systemUTC(), interrupted, () -> 0))) {
            recorded.tryAcquire(key, LONG, "holder").orElseThrow();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> recorded.acquire(key, LONG, "waiter"))
                    .isInstanceOfSatisfying(LockException.class,
                            e -> assertThat(e.reason()).isEqualTo(LockException.Reason.CONTEXT_CANCELED));
            assertThat(Thread.interrupted()).as("interrupt flag restored").isTrue();
        }
    }

    @Test
    void modeIsLocal() {
        assertThat(locks.mode()).isEqualTo("local");
    }
}
