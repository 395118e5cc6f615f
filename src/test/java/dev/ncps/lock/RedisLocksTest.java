package dev.ncps.lock;

import dev.ncps.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("slow")
class RedisLocksTest extends LocksContract {
    private static RedisServer server;
    private static int port;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start("locks");
        port = server.port();
    }

    @AfterAll
    static void stopRedis() {
        server.close();
    }

    @Override
    Locks open(LockSettings settings, LockListener metrics) throws LockException {
        return new RedisLocks(RedisSettings.of("127.0.0.1:" + port), settings, metrics);
    }

    @Test
    void leasesLiveUnderThePrefixedKeyWithTokenAndValue() throws Exception {
        try (Locks.Lease lease = locks.tryAcquire(key, LONG, "http://10.0.0.7:8501").orElseThrow();
             RedisClient direct = RedisClient.create("127.0.0.1", port)) {
            String stored = direct.get("ncps:lock:" + key);
            assertThat(stored).matches("[0-9a-f-]{36}\\|http://10\\.0\\.0\\.7:8501");
            assertThat(direct.pttl("ncps:lock:" + key)).isBetween(1L, LONG.toMillis());
        }
    }

    @Test
    void renewResetsTheRedisTtl() throws Exception {
        try (Locks.Lease lease = locks.tryAcquire(key, Duration.ofSeconds(10), "a").orElseThrow();
             RedisClient direct = RedisClient.create("127.0.0.1", port)) {
            direct.pexpire("ncps:lock:" + key, 500);
            assertThat(lease.renew()).isTrue();
            assertThat(direct.pttl("ncps:lock:" + key)).isGreaterThan(9_000);
        }
    }

    @Test
    void modeIsRedisAndRedisCountsAsConnected() {
        assertThat(locks.mode()).isEqualTo("redis");
        assertThat(read.gauge("ncps_lock_redis_connected")).isEqualTo(1);
    }
}
