package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Redis, the lock backend of a cluster, going away under a running ncps and coming back on the same port. */
@Tag("slow")
class RedisRecoveryTest {
    /** The breaker's probe period (3s) plus the time of one miss. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(5);

    @Test
    void missesFailWhileRedisIsDownAndWorkAgainWithinSecondsOfItsReturn() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (HttpClient http = Http.client();
             RedisServer redis = RedisServer.start("recovery");
             PostgresServer postgres = PostgresServer.start();
             S3Server s3 = S3Server.start("ncps");
             UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), 
                     InProcessNcps.sharedBackends(postgres.createDatabase().url(), s3, "PROMETHEUS_ENABLED", "true",
                             "CACHE_REDIS_ADDRS", redis.host() + ":" + redis.port()))) {
            List<String> hashes = cache.storePaths().stream().map(NixUpstreamCache::hashOf).toList();
            assertThat(status(http, ncps, hashes.get(0))).isEqualTo(200);
            assertThat(connected(http, ncps)).isEqualTo(1);

            redis.stop();
            assertThat(status(http, ncps, hashes.get(1))).as("a miss without its lock").isEqualTo(503);
            assertThat(connected(http, ncps)).as("down from the first failed call").isZero();
            for (int i = 0; i < 6; i++) {
                status(http, ncps, hashes.get(1)); // enough failures to open the breaker
            }

            redis.start();
            long back = System.nanoTime();
            while (status(http, ncps, hashes.get(1)) != 200) {
                assertThat(Duration.ofNanos(System.nanoTime() - back)).as("misses still fail").isLessThan(RECOVERY_BOUND);
                Thread.sleep(100);
            }
            assertThat(connected(http, ncps)).isEqualTo(1);
        }
    }

    private static int status(HttpClient http, InProcessNcps ncps, String hash) {
        return Http.get(http, ncps.url("/" + hash + ".narinfo")).statusCode();
    }

    private static double connected(HttpClient http, InProcessNcps ncps) {
        return ServeEndToEndTest.sample(Http.text(Http.get(http, ncps.url("/metrics"))), "ncps_lock_redis_connected");
    }
}
