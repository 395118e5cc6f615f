package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Closer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What GET /metrics shows of a running ncps (local locks, one upstream) before and after its upstream fails. */
@Tag("slow")
class MetricsExpositionTest {
    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-z_]+)(?:\\{([^}]*)\\})? (\\S+)$");

    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private String host;

    private void start() {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        host = upstream.url().getHost();
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true",
                "CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL", "1h")));
    }

    @Test
    void everySeriesExistsFromStartupWithoutCredentialsInItsLabels() {
        start();
        String metrics = scrape();

        assertThat(metrics).containsPattern("(?m)^ncps_build_info\\{java=\"" + Pattern.quote(Runtime.version().toString())
                + "\",revision=\"[^\"]*\",version=\"[^\"]+\"\\} 1\\.0$");
        for (String kind : List.of("timeout", "connect", "status", "verification")) {
            assertThat(value(metrics, "ncps_upstream_errors_total", "upstream_hostname", host, "request", "narinfo",
                    "kind", kind)).hasValue(0);
        }
        assertThat(value(metrics, "ncps_upstream_request_duration_seconds_count", "upstream_hostname", host,
                "request", "nar")).hasValue(0);
        assertThat(value(metrics, "ncps_upstream_target_refused_total", "upstream_hostname", host,
                "reason", "internal_address")).hasValue(0);
        assertThat(value(metrics, "ncps_narinfo_served_total", "result", "miss", "status", "error")).hasValue(0);
        // The local lock backend: the series exist all the same, so one dashboard fits every deployment.
        assertThat(value(metrics, "ncps_lock_failures_total", "type", "download", "mode", "local", "reason", "max_retries"))
                .hasValue(0);
        assertThat(value(metrics, "ncps_lock_acquisitions_total", "type", "lru", "mode", "distributed", "result", "success"))
                .hasValue(0);
        assertThat(metrics).doesNotContain("ncps_lock_redis_connected");
        assertThat(value(metrics, "ncps_download_coordination_fallback_total", "outcome", "give_up")).hasValue(0);
        assertThat(value(metrics, "ncps_lru_cleanup_runs_total")).hasValue(0);
    }

    @Test
    void aFailingUpstreamShowsInItsErrorsHealthAndTheNarInfoFailures() throws InterruptedException {
        start();
        List<String> hashes = cache.storePaths().stream().map(NixUpstreamCache::hashOf).toList();
        assertThat(Http.get(http, ncps.url("/" + hashes.get(0) + ".narinfo")).statusCode()).isEqualTo(200);
        String before = scrape();
        assertThat(value(before, "ncps_upstream_request_duration_seconds_count", "upstream_hostname", host,
                "request", "narinfo")).hasValue(1);
        assertThat(value(before, "ncps_upstream_health", "upstream_hostname", host, "state", "healthy")).hasValue(1);

        upstream.close();
        int status = Http.get(http, ncps.url("/" + hashes.get(1) + ".narinfo")).statusCode();
        assertThat(status).isEqualTo(502);
        // The re-check the failure triggers runs in the background: wait until it has been recorded too.
        String after = scrapeWhen(m -> value(m, "ncps_upstream_health", "upstream_hostname", host, "state",
                "unhealthy").orElse(0) == 1 && value(m, "ncps_upstream_errors_total", "upstream_hostname", host,
                "request", "nix-cache-info", "kind", "connect").orElse(0) >= 1);
        assertThat(value(after, "ncps_narinfo_served_total", "result", "miss", "status", "error")).hasValue(1);
        assertThat(value(after, "ncps_upstream_errors_total", "upstream_hostname", host, "request", "narinfo",
                "kind", "connect")).hasValue(1);
        assertThat(value(after, "ncps_upstream_errors_total", "upstream_hostname", host, "request", "nix-cache-info",
                "kind", "connect")).hasValue(1);
        assertThat(value(after, "ncps_upstream_health", "upstream_hostname", host, "state", "unhealthy")).hasValue(1);
        assertThat(value(after, "ncps_upstream_health", "upstream_hostname", host, "state", "healthy")).hasValue(0);
    }

    private String scrape() {
        return Http.text(Http.get(http, ncps.url("/metrics")));
    }

    /** The first scrape that satisfies {@code ready}, for what a background check changes (within seconds). */
    private String scrapeWhen(java.util.function.Predicate<String> ready) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        String metrics = scrape();
        while (!ready.test(metrics)) {
            assertThat(System.nanoTime()).as("metrics never got there:%n%s", metrics).isLessThan(deadline);
            Thread.sleep(100);
            metrics = scrape();
        }
        return metrics;
    }

    /** The value of the sample of {@code name} whose labels include every given pair. */
    private static OptionalDouble value(String metrics, String name, String... labelPairs) {
        Matcher sample = SAMPLE.matcher(metrics);
        while (sample.find()) {
            if (!sample.group(1).equals(name)) {
                continue;
            }
            String labels = sample.group(2) == null ? "" : sample.group(2);
            boolean all = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                all &= labels.matches("(^|.*,)" + labelPairs[i] + "=\"" + Pattern.quote(labelPairs[i + 1]) + "\"(,.*|$)");
            }
            if (all) {
                return OptionalDouble.of(Double.parseDouble(sample.group(3)));
            }
        }
        return OptionalDouble.empty();
    }
}
