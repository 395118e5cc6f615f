package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Closer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An upstream that goes down and comes back on the same port, under a running ncps. */
@Tag("slow")
class UpstreamHealthTest {
    /** The default health-check interval, which bounds the recovery, plus the time of one check and one miss. */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(5).plusMillis(1500);

    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;

    private List<String> hashes() {
        return cache.storePaths().stream().map(NixUpstreamCache::hashOf).toList();
    }

    private int narInfoStatus(String hash) {
        return Http.get(http, ncps.url("/" + hash + ".narinfo")).statusCode();
    }

    private double gauge(String name) {
        return ServeEndToEndTest.sample(Http.text(Http.get(http, ncps.url("/metrics"))), name);
    }

    @Test
    void missesSucceedAgainWithinTheCheckIntervalOnceTheUpstreamIsBack() throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        int port = upstream.port();
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of()));
        List<String> hashes = hashes();
        assertThat(narInfoStatus(hashes.get(0))).isEqualTo(200);

        upstream.close();
        assertThat(narInfoStatus(hashes.get(1))).as("a miss while the upstream is down").isGreaterThanOrEqualTo(500);

        upstream = closer.add(new UpstreamServer(cache.cacheDir(), port));
        long back = System.nanoTime();
        awaitWithin(RECOVERY_BOUND, () -> narInfoStatus(hashes.get(1)) == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(RECOVERY_BOUND);
    }

    @Test
    void aRequestThatFindsTheUpstreamDownChecksItAtOnce() throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        // A period far longer than the test: only the re-check triggered by the failed request can see the outage.
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of(
                "PROMETHEUS_ENABLED", "true", "CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL", "1h")));
        awaitWithin(Duration.ofSeconds(5), () -> gauge("ncps_upstream_count_healthy") == 1);

        upstream.close();
        narInfoStatus(hashes().get(0));
        awaitWithin(Duration.ofSeconds(2), () -> gauge("ncps_upstream_count_healthy") == 0);
    }

    private static void awaitWithin(Duration bound, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after %s", bound).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
