package dev.ncps.lock;

import dev.ncps.lock.Locks.Lease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link Locks} backend must do; one subclass per backend runs it against the real thing. */
abstract class LocksContract {
    static final Duration LONG = Duration.ofSeconds(30);
    static final Duration SHORT = Duration.ofMillis(300);

    LockMetricsReader read;
    Locks locks;
    /** Unique per test: the servers are shared by the tests of a class. */
    String key;

    /** A fresh instance on the shared server; tests close it. */
    abstract Locks open(LockSettings settings, LockListener metrics) throws Exception;

    /** The {@code mode} label this backend's leases carry. */
    String metricsMode() {
        return "distributed";
    }

    @BeforeEach
    void openLocks() throws Exception {
        read = LockMetricsReader.fresh();
        locks = open(LockSettings.DEFAULTS, read.listener());
        key = "download:nar:" + UUID.randomUUID();
    }

    @AfterEach
    void closeLocks() {
        locks.close();
    }

    @Test
    void aHeldKeyCannotBeAcquiredAgain() throws Exception {
        try (Lease lease = locks.tryAcquire(key, LONG, "a").orElseThrow()) {
            assertThat(lease.key()).isEqualTo(key);
            assertThat(locks.tryAcquire(key, LONG, "b")).isEmpty();
        }
    }

    @Test
    void otherKeysAreIndependent() throws Exception {
        try (Lease a = locks.tryAcquire(key, LONG, "a").orElseThrow();
             Lease b = locks.tryAcquire(key + "-other", LONG, "b").orElseThrow()) {
            assertThat(locks.holder(key + "-other")).contains("b");
        }
    }

    @Test
    void releasingFreesTheKey() throws Exception {
        locks.tryAcquire(key, LONG, "a").orElseThrow().close();
        assertThat(locks.holder(key)).isEmpty();
        try (Lease again = locks.tryAcquire(key, LONG, "b").orElseThrow()) {
            assertThat(locks.holder(key)).contains("b");
        }
    }

    @Test
    void holderNamesTheValueOfTheCurrentHolder() throws Exception {
        assertThat(locks.holder(key)).isEmpty();
        String value = "http://10.0.0.7:8501|with separators|";
        try (Lease lease = locks.tryAcquire(key, LONG, value).orElseThrow()) {
            assertThat(locks.holder(key)).contains(value);
        }
    }

    @Test
    void anUnrenewedLeaseExpiresAndFreesTheKey() throws Exception {
        Lease dead = locks.tryAcquire(key, SHORT, "dead").orElseThrow();
        assertThat(locks.tryAcquire(key, LONG, "b")).isEmpty();
        Thread.sleep(SHORT.plusMillis(150));
        assertThat(locks.holder(key)).isEmpty();
        try (Lease next = locks.tryAcquire(key, LONG, "b").orElseThrow()) {
            assertThat(locks.holder(key)).contains("b");
        }
        dead.close();
    }

    @Test
    void renewingKeepsTheLeasePastItsTtl() throws Exception {
        try (Lease lease = locks.tryAcquire(key, SHORT, "a").orElseThrow()) {
            for (int i = 0; i < 6; i++) {
                Thread.sleep(SHORT.dividedBy(3));
                assertThat(lease.renew()).isTrue();
            }
            assertThat(locks.holder(key)).contains("a");
            assertThat(locks.tryAcquire(key, LONG, "b")).isEmpty();
        }
    }

    @Test
    void renewAfterTheLeaseWasTakenReportsTheLoss() throws Exception {
        Lease lost = locks.tryAcquire(key, SHORT, "a").orElseThrow();
        Thread.sleep(SHORT.plusMillis(150));
        try (Lease winner = locks.tryAcquire(key, LONG, "b").orElseThrow()) {
            assertThat(lost.renew()).isFalse();
            assertThat(locks.holder(key)).contains("b");
        }
    }

    @Test
    void renewAfterExpiryReportsTheLossEvenWithoutANewHolder() throws Exception {
        Lease lost = locks.tryAcquire(key, SHORT, "a").orElseThrow();
        Thread.sleep(SHORT.plusMillis(150));
        assertThat(lost.renew()).isFalse();
        assertThat(locks.holder(key)).isEmpty();
    }

    @Test
    void renewAfterReleaseReturnsFalse() throws Exception {
        Lease lease = locks.tryAcquire(key, LONG, "a").orElseThrow();
        lease.close();
        assertThat(lease.renew()).isFalse();
    }

    @Test
    void aFormerHolderCannotReleaseTheNextHoldersLease() throws Exception {
        Lease former = locks.tryAcquire(key, SHORT, "a").orElseThrow();
        Thread.sleep(SHORT.plusMillis(150));
        try (Lease current = locks.tryAcquire(key, LONG, "b").orElseThrow()) {
            former.close();
            assertThat(locks.holder(key)).contains("b");
            assertThat(locks.tryAcquire(key, LONG, "c")).isEmpty();
        }
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        Lease lease = locks.tryAcquire(key, LONG, "a").orElseThrow();
        lease.close();
        try (Lease next = locks.tryAcquire(key, LONG, "b").orElseThrow()) {
            lease.close();
            assertThat(locks.holder(key)).contains("b");
        }
    }

    @Test
    void takeOverReplacesTheDeadHolder() throws Exception {
        locks.tryAcquire(key, LONG, "dead").orElseThrow();
        try (Lease lease = locks.takeOver(key, "dead", LONG, "alive").orElseThrow()) {
            assertThat(locks.holder(key)).contains("alive");
            assertThat(lease.renew()).isTrue();
        }
        assertThat(locks.holder(key)).isEmpty();
    }

    @Test
    void takeOverFailsWhenTheHolderIsNotTheDeadOne() throws Exception {
        try (Lease live = locks.tryAcquire(key, LONG, "alive").orElseThrow()) {
            assertThat(locks.takeOver(key, "someone-else", LONG, "me")).isEmpty();
            assertThat(locks.holder(key)).contains("alive");
        }
        assertThat(locks.takeOver(key, "alive", LONG, "me")).as("nobody holds it any more").isEmpty();
    }

    @Test
    void ofTwoConcurrentTakeOversExactlyOneWins() throws Exception {
        locks.tryAcquire(key, LONG, "dead").orElseThrow();
        List<Optional<Lease>> results = race(2, i -> locks.takeOver(key, "dead", LONG, "taker-" + i));
        List<Lease> winners = results.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        assertThat(locks.holder(key)).get().asString().startsWith("taker-");
        winners.getFirst().close();
    }

    @Test
    void fiftyThreadsRacingForOneKeyYieldExactlyOneHolder() throws Exception {
        List<Optional<Lease>> results = race(50, i -> locks.tryAcquire(key, LONG, "racer-" + i));
        List<Lease> winners = results.stream().flatMap(Optional::stream).toList();
        assertThat(winners).hasSize(1);
        assertThat(locks.holder(key)).get().asString().startsWith("racer-");
        assertThat(read.counter("ncps_lock_acquisitions_total", "mode", metricsMode(), "result", "contention"))
                .isEqualTo(49);
        winners.getFirst().close();
    }

    @Test
    void acquireRetriesUntilTheHolderReleases() throws Exception {
        locks.close();
        read = LockMetricsReader.fresh();
        locks = open(LockSettings.DEFAULTS.withRetry(6, Duration.ofMillis(50), Duration.ofMillis(200), true),
                read.listener());
        Lease first = locks.tryAcquire(key, LONG, "first").orElseThrow();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Optional<Lease>> waiter = pool.submit(() -> locks.acquire(key, LONG, "second"));
            Thread.sleep(150);
            first.close();
            try (Lease second = waiter.get().orElseThrow()) {
                assertThat(locks.holder(key)).contains("second");
            }
        }
        assertThat(read.counter("ncps_lock_retry_attempts_total", "type", "download")).isGreaterThanOrEqualTo(1);
        assertThat(read.counter("ncps_lock_acquisitions_total", "result", "success")).isEqualTo(2);
    }

    @Test
    void acquireGivesUpAfterTheConfiguredAttempts() throws Exception {
        locks.close();
        read = LockMetricsReader.fresh();
        locks = open(LockSettings.DEFAULTS.withRetry(3, Duration.ofMillis(10), Duration.ofMillis(20), false),
                read.listener());
        try (Lease holder = locks.tryAcquire(key, LONG, "holder").orElseThrow()) {
            assertThat(locks.acquire(key, LONG, "waiter")).isEmpty();
        }
        assertThat(read.counter("ncps_lock_retry_attempts_total")).isEqualTo(2);
        assertThat(read.counter("ncps_lock_acquisitions_total", "mode", metricsMode(), "result", "contention"))
                .isEqualTo(3);
        assertThat(read.counter("ncps_lock_failures_total", "mode", metricsMode(), "reason", "max_retries"))
                .isEqualTo(1);
    }

    @Test
    void metricsCountAcquisitionsAndHoldDurations() throws Exception {
        locks.tryAcquire(key, LONG, "a").orElseThrow().close();
        assertThat(read.counter("ncps_lock_acquisitions_total",
                "type", "download", "mode", metricsMode(), "result", "success")).isEqualTo(1);
        assertThat(read.histogramCount("ncps_lock_hold_duration_seconds", "mode", metricsMode())).isEqualTo(1);
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> locks.tryAcquire(" ", LONG, "a")).hasMessageContaining("key");
        assertThatThrownBy(() -> locks.tryAcquire(key, Duration.ZERO, "a")).hasMessageContaining("TTL");
        assertThatThrownBy(() -> locks.tryAcquire(key, LONG, null)).hasMessageContaining("value");
    }

    @FunctionalInterface
    interface Contender {
        Optional<Lease> run(int index) throws Exception;
    }

    /** Starts all contenders at once on virtual threads and collects their results. */
    static List<Optional<Lease>> race(int contenders, Contender contender) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<Lease>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < contenders; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return contender.run(index);
                }));
            }
            start.countDown();
            List<Optional<Lease>> results = new ArrayList<>();
            for (Future<Optional<Lease>> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }
}
