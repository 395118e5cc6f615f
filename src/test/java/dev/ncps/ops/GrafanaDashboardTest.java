package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.RunningProcess;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The shipped Grafana dashboard against a real Prometheus (Debian's) scraping a live ncps under a little traffic:
 * every panel query is valid PromQL over series ncps exports, and returns data.
 */
@Tag("slow")
class GrafanaDashboardTest {
    /**
     * Queries whose series only exist with a feature this single instance does not use; the reason says which.
     * Keyed by a metric name the query contains.
     */
    private static final Map<String, String> NEEDS_A_FEATURE = Map.of(
            "ncps_download_coordination_fallback_total", "only with a cluster lock backend (Redis or PostgreSQL)",
            "ncps_lock_", "lock series exist only with a cluster lock backend (Redis or PostgreSQL)",
            "ncps_upstream_target_refused_total", "a series appears at the first refused upstream URL");

    @Test
    void everyPanelQueryReturnsDataFromALiveNcps() throws Exception {
        Path dashboard = TestDirs.repoRoot().resolve("deploy/grafana/ncps.json");
        List<String> queries = queries(dashboard);
        assertThat(queries).hasSizeGreaterThan(20);

        NixUpstreamCache cache = NixUpstreamCache.standard();
        Path work = TestDirs.newWorkDir("prometheus");
        HttpClient http = Http.client();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of(
                     "PROMETHEUS_ENABLED", "true", "CACHE_MAX_SIZE", "1G", "CACHE_LRU_SCHEDULE", "@daily"));
             RunningProcess prometheus = startPrometheus(work, ncps.url())) {
            URI api = URI.create("http://" + Processes.LOOPBACK + ":" + prometheusPort);
            Processes.awaitHttp200(api.resolve("/-/ready"), Duration.ofSeconds(60), prometheus);
            // counters must be seen before the traffic too, or their rate over it is 0
            Processes.await("Prometheus to scrape ncps", Duration.ofSeconds(60), prometheus,
                    () -> !result(http, api, "up{job=\"ncps\"} == 1").isEmpty());
            traffic(http, ncps, cache);
            // rate() needs two scrapes in its window, the second one after the traffic
            Processes.await("Prometheus to scrape ncps twice after the traffic", Duration.ofSeconds(60), prometheus,
                    () -> !result(http, api, "rate(ncps_narinfo_served_total{result=\"hit\"}[30s]) > 0").isEmpty());

            Map<String, String> empty = new LinkedHashMap<>();
            for (String query : queries) {
                String exception = NEEDS_A_FEATURE.entrySet().stream().filter(e -> query.contains(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                List<?> data = result(http, api, query);
                if (exception == null && data.isEmpty()) {
                    empty.put(query, "no data");
                }
            }
            assertThat(empty).as("dashboard queries without data").isEmpty();
        } finally {
            http.close();
            TestDirs.deleteTree(work);
        }
    }

    private int prometheusPort;

    private RunningProcess startPrometheus(Path work, URI ncps) throws IOException {
        prometheusPort = Processes.freePort();
        Path config = Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: ncps
                    static_configs:
                      - targets: ['%s']
                """.formatted(TestDirs.repoRoot().resolve("deploy/prometheus/ncps-rules.yaml"), ncps.getAuthority()));
        return Processes.start("prometheus", List.of("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=" + Processes.LOOPBACK + ":" + prometheusPort), Map.of(), work);
    }

    /** A miss, hits, a NAR twice, a 404 and the cache info. */
    private static void traffic(HttpClient http, InProcessNcps ncps, NixUpstreamCache cache) {
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        String narInfo = "";
        for (int i = 0; i < 3; i++) {
            narInfo = ok(Http.get(http, ncps.url("/" + hash + ".narinfo")));
        }
        String narUrl = narInfo.lines().filter(line -> line.startsWith("URL: ")).findFirst().orElseThrow().substring(5);
        ok(Http.get(http, ncps.url("/" + narUrl)));
        ok(Http.get(http, ncps.url("/" + narUrl)));
        assertThat(Http.get(http, ncps.url("/00000000000000000000000000000000.narinfo")).statusCode()).isEqualTo(404);
        ok(Http.get(http, ncps.url("/nix-cache-info")));
    }

    private static String ok(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as(response.uri() + ": " + Http.text(response)).isEqualTo(200);
        return Http.text(response);
    }

    /** The dashboard's panel queries with Grafana's variables replaced as "All" and a short rate window would. */
    private static List<String> queries(Path dashboard) throws IOException {
        Map<?, ?> root = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(dashboard));
        List<String> queries = new ArrayList<>();
        for (Object panel : (List<?>) root.get("panels")) {
            Object targets = ((Map<?, ?>) panel).get("targets");
            if (targets != null) {
                for (Object target : (List<?>) targets) {
                    queries.add(((String) ((Map<?, ?>) target).get("expr"))
                            .replace("$__rate_interval", "30s").replace("$instance", ".*"));
                }
            }
        }
        return queries;
    }

    /** The result vector of an instant query; fails on a PromQL error. */
    private static List<?> result(HttpClient http, URI api, String query) {
        var response = Http.get(http, api.resolve("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
        Map<?, ?> body = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(Http.text(response));
        assertThat(body.get("status")).as(query + ": " + Http.text(response)).isEqualTo("success");
        return (List<?>) ((Map<?, ?>) body.get("data")).get("result");
    }
}
