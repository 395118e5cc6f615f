package dev.ncps.lock;

import dev.ncps.lock.Locks.Lease;
import dev.ncps.testing.Processes;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.Stalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Redis going away under a running RedisLocks, and coming back on the same port. */
@Tag("slow")
class RedisOutageTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration OPEN_FOR = Duration.ofMillis(500);

    private final String key = "download:nar:" + UUID.randomUUID();
    private final LockMetricsReader read = LockMetricsReader.fresh();
    private RedisServer server;
    private int port;

    @BeforeEach
    void startRedis() {
        server = RedisServer.start("outage");
        port = server.port();
    }

    @AfterEach
    void stopRedis() {
        server.close();
    }

    private RedisLocks open(boolean degraded) throws LockException {
        return new RedisLocks(RedisSettings.of("127.0.0.1:" + port),
                LockSettings.DEFAULTS.withAllowDegradedMode(degraded), read.listener(), Timing.SYSTEM,
                ReachabilityBreaker.DEFAULT_THRESHOLD, OPEN_FOR);
    }

    /** The five connection errors that open the breaker. */
    private static void failUntilOpen(Locks locks, String key) {
        for (int i = 0; i < ReachabilityBreaker.DEFAULT_THRESHOLD; i++) {
            assertThatThrownBy(() -> locks.tryAcquire(key, TTL, "x"))
                    .isInstanceOfSatisfying(LockException.class,
                            e -> assertThat(e.reason()).isEqualTo(LockException.Reason.REDIS_ERROR));
        }
    }

    @Test
    void withoutDegradedModeAnOpenCircuitFailsFast() throws Exception {
        try (RedisLocks locks = open(false)) {
            Lease held = locks.tryAcquire(key, TTL, "a").orElseThrow();
            server.stop();
            failUntilOpen(locks, key);
            assertThat(locks.degraded()).isTrue();

            long started = System.nanoTime();
            assertThatThrownBy(() -> locks.tryAcquire(key, TTL, "b"))
                    .isInstanceOfSatisfying(LockException.class, e -> {
                        assertThat(e.reason()).isEqualTo(LockException.Reason.CIRCUIT_BREAKER);
                        assertThat(e).hasMessageContaining("redis unavailable (circuit open)");
                    });
            assertThatThrownBy(held::renew).isInstanceOf(LockException.class);
            assertThatThrownBy(() -> locks.holder(key)).isInstanceOf(LockException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));
            held.close(); // must not throw: the lease will expire in Redis

            assertThat(read.gauge("ncps_lock_redis_connected")).isZero();
            assertThat(read.counter("ncps_lock_failures_total", "mode", "distributed", "reason", "circuit_breaker"))
                    .isGreaterThanOrEqualTo(3);
            assertThat(read.counter("ncps_lock_failures_total", "mode", "distributed", "reason", "redis_error"))
                    .isEqualTo(ReachabilityBreaker.DEFAULT_THRESHOLD);
        }
    }

    @Test
    void theConnectedGaugeDropsAtTheFirstFailedCallAndRisesAtTheFirstAnswer() throws Exception {
        try (RedisLocks locks = open(false)) {
            assertThat(read.gauge("ncps_lock_redis_connected")).isEqualTo(1);
            server.stop();
            assertThatThrownBy(() -> locks.tryAcquire(key, TTL, "x")).isInstanceOf(LockException.class);
            assertThat(locks.degraded()).as("one failure does not open the breaker").isFalse();
            assertThat(read.gauge("ncps_lock_redis_connected")).isZero();

            server.start();
            locks.tryAcquire(key, TTL, "back").orElseThrow().close();
            assertThat(read.gauge("ncps_lock_redis_connected")).isEqualTo(1);
        }
    }

    @Test
    void withDegradedModeLocksFallBackToTheProcessAndReturnToRedisWhenItIsBack() throws Exception {
        try (RedisLocks locks = open(true)) {
            server.stop();
            // Not one request is refused: each failing Redis call falls back at once, until the breaker opens.
            for (int i = 0; i < ReachabilityBreaker.DEFAULT_THRESHOLD; i++) {
                locks.tryAcquire(key, TTL, "early").orElseThrow().close();
            }
            assertThat(locks.degraded()).isTrue();

            Lease local = locks.tryAcquire(key, TTL, "local").orElseThrow();
            assertThat(locks.tryAcquire(key, TTL, "other")).as("still exclusive in this process").isEmpty();
            assertThat(locks.holder(key)).contains("local");
            assertThat(local.renew()).isTrue();
            assertThat(read.counter("ncps_lock_acquisitions_total", "mode", "local", "result", "success"))
                    .isEqualTo(ReachabilityBreaker.DEFAULT_THRESHOLD + 1);
            local.close();

            server.start();
            Thread.sleep(OPEN_FOR.plusMillis(100).toMillis());

            String recovered = key + "-after";
            try (Lease distributed = locks.tryAcquire(recovered, TTL, "redis").orElseThrow();
                 RedisClient direct = RedisClient.create("127.0.0.1", port)) {
                assertThat(locks.degraded()).isFalse();
                assertThat(direct.get("ncps:lock:" + recovered)).endsWith("|redis");
                assertThat(distributed.renew()).isTrue();
            }
            assertThat(read.gauge("ncps_lock_redis_connected")).isEqualTo(1);
        }
    }

    @Test
    void withoutDegradedModeTheCircuitClosesAgainOnceRedisAnswers() throws Exception {
        try (RedisLocks locks = open(false)) {
            server.stop();
            failUntilOpen(locks, key);
            server.start();
            assertThatThrownBy(() -> locks.tryAcquire(key, TTL, "early"))
                    .as("still within the open period").isInstanceOf(LockException.class);
            Thread.sleep(OPEN_FOR.plusMillis(100).toMillis());
            try (Lease lease = locks.tryAcquire(key, TTL, "back").orElseThrow()) {
                assertThat(locks.holder(key)).contains("back");
            }
        }
    }

    /** A server that stops answering (frozen, not gone): a call fails after the socket timeout instead of hanging. */
    @Test
    void aServerThatStopsAnsweringFailsACallAfterTheSocketTimeout() throws Exception {
        try (RedisLocks locks = open(false)) {
            locks.tryAcquire(key, TTL, "before").orElseThrow().close();
            server.pause(true);
            long start = System.nanoTime();
            Throwable failure;
            try {
                failure = Stalls.failureWithin(Duration.ofMillis(RedisLocks.TIMEOUT_MILLIS).plusSeconds(8),
                        () -> locks.tryAcquire(key, TTL, "during"));
            } finally {
                server.pause(false);
            }
            assertThat(failure).isInstanceOfSatisfying(LockException.class,
                    e -> assertThat(e.reason()).isEqualTo(LockException.Reason.TIMEOUT));
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms until it gave up")
                    .isGreaterThanOrEqualTo(RedisLocks.TIMEOUT_MILLIS - 500L);
            try (Lease lease = locks.tryAcquire(key, TTL, "after").orElseThrow()) {
                assertThat(locks.holder(key)).contains("after");
            }
        }
    }

    @Test
    void unreachableRedisAtStartupFailsWithoutDegradedMode() throws Exception {
        server.stop();
        assertThatThrownBy(() -> open(false))
                .isInstanceOf(LockException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("unreachable")
                .hasMessageContaining("cache.lock.allow-degraded-mode");
    }

    @Test
    void unreachableRedisAtStartupStartsDegradedWhenAllowed() throws Exception {
        server.stop();
        try (RedisLocks locks = open(true)) {
            assertThat(locks.degraded()).isTrue();
            assertThat(read.gauge("ncps_lock_redis_connected")).isZero();
            try (Lease lease = locks.tryAcquire(key, TTL, "local").orElseThrow()) {
                assertThat(locks.holder(key)).contains("local");
            }
        }
    }

    @Test
    void anUnreachableClusterAtStartupFailsOrStartsDegradedLikeASingleServer() throws Exception {
        RedisSettings cluster = new RedisSettings(List.of("127.0.0.1:" + Processes.freePort(), "127.0.0.1:" + Processes.freePort()),
                null, null, 0, false, 10);
        assertThatThrownBy(() -> new RedisLocks(cluster, LockSettings.DEFAULTS, read.listener()))
                .isInstanceOf(LockException.class).hasMessageContaining("unreachable");
        try (RedisLocks locks = new RedisLocks(cluster, LockSettings.DEFAULTS.withAllowDegradedMode(true),
                LockListener.NONE)) {
            assertThat(locks.degraded()).isTrue();
            assertThat(locks.tryAcquire(key, TTL, "local")).isPresent();
        }
    }
}
