package dev.ncps.lock;

import dev.ncps.testing.Processes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
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
        awaitClusterStateOk();
    }

    /**
     * The embedded cluster returns once its slots are assigned, but each node reports CLUSTERDOWN until it has
     * heard from the others; on a loaded machine the first test could run before that.
     */
    private static void awaitClusterStateOk() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int port : ports) {
            while (true) {
                try (Jedis node = new Jedis("127.0.0.1", port)) {
                    if (node.clusterInfo().contains("cluster_state:ok")) {
                        break;
                    }
                } catch (RuntimeException notYet) {
                    // the node is still starting; ask again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Redis cluster node " + port + " did not reach cluster_state:ok in 30 s");
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.stop();
    }

    @Override
    Locks open(LockSettings settings, LockListener metrics) throws LockException {
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
