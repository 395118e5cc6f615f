package dev.ncps.lock;

import dev.ncps.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisShardedCluster;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on a three-shard Redis Cluster: several cache.redis.addrs are one cluster. */
@Tag("slow")
class RedisClusterLocksTest extends LocksContract {
    private static RedisShardedCluster cluster;
    private static List<Integer> ports;

    @BeforeAll
    static void startCluster() throws Exception {
        ports = List.of(Processes.freePort(), Processes.freePort(), Processes.freePort());
        cluster = RedisShardedCluster.newRedisCluster()
                .serverPorts(ports) // before the shards: they take their ports when added
                .shard("a", 0).shard("b", 0).shard("c", 0)
                .initializationTimeout(Duration.ofSeconds(20)).build();
        cluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.stop();
    }

    @Override
    Locks open(LockSettings settings, LockMetrics metrics) throws LockException {
        List<String> addrs = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        return new RedisLocks(new RedisSettings(addrs, null, null, 0, false, 10), settings, metrics);
    }

    @Test
    void keysHashingToEveryShardWork() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (Locks.Lease lease = locks.tryAcquire(key + i, LONG, "v" + i).orElseThrow()) {
                assertThat(locks.holder(key + i)).contains("v" + i);
            }
        }
    }
}
