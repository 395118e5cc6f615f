package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.http.HttpServer;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real nix client substitutes a whole closure through ncps from a real signed binary cache. One ncps
 * serves every test here; the first copy happens once up front, the tests then look at what it left.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeEndToEndTest {
    private static final String NARINFO_SERVED = "ncps_narinfo_served_total";
    private static final String NAR_SERVED = "ncps_nar_served_total";
    private static final Pattern NARINFO_OK = Pattern.compile("^(GET|HEAD) /[0-9a-z]{32}\\.narinfo 200 ");
    private static final Pattern NAR_OK = Pattern.compile("^GET /nar/\\S+ 20[06] ");

    @AutoClose
    private final Closer closer = new Closer();
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private NixClient nix;
    private HttpClient http;

    private String servedKey;
    private NixClient.Copy firstCopy;
    private Map<String, Integer> upstreamAfterFirstCopy;
    private String metricsAfterFirstCopy;
    private Served requestsOfFirstCopy;
    private LogCapture accessLog;

    @BeforeAll
    void copyTheClosureOnce() throws InterruptedException {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        nix = closer.add(new NixClient());
        http = closer.add(Http.client());
        accessLog = closer.add(new LogCapture(HttpServer.ACCESS_LOGGER));
        servedKey = Http.text(Http.get(http, ncps.url("/pubkey"))).strip();
        firstCopy = nix.copyClosure(ncps.url(), servedKey, cache.closureRoot());
        upstreamAfterFirstCopy = upstream.counts();
        metricsAfterFirstCopy = Http.text(Http.get(http, ncps.url("/metrics")));
        requestsOfFirstCopy = servedRequests();
    }

    @Test
    void aCopyTrustingOnlyTheNcpsKeySucceedsVerifiesAndHoldsEveryPath() {
        assertThat(servedKey).startsWith("test.local:").isEqualTo(ncps.publicKey()).isNotEqualTo(cache.publicKey());
        assertThat(firstCopy.succeeded()).as("%s", firstCopy.result()).isTrue();

        NixClient.Result verify = nix.verify(firstCopy.store(), cache.closureRoot(), servedKey);
        assertThat(verify.succeeded()).as("%s", verify).isTrue();
        assertThat(cache.storePaths()).allSatisfy(path ->
                assertThat(nix.hasPath(firstCopy.store(), path)).as("%s in the new store", path).isTrue());
        // Each object came from upstream exactly once (health checks of /nix-cache-info aside).
        assertThat(upstreamAfterFirstCopy).allSatisfy((path, count) -> {
            if (!path.equals("/nix-cache-info")) {
                assertThat(count).as(path).isOne();
            }
        });
        assertThat(upstreamAfterFirstCopy.keySet().stream().filter(path -> path.startsWith("/nar/")).count())
                .isEqualTo(cache.storePaths().size());
    }

    @Test
    void aSecondCopyIntoAFreshStoreMakesNoUpstreamRequest() {
        upstream.resetCounts();

        NixClient.Copy second = nix.copyClosure(ncps.url(), servedKey, cache.closureRoot());

        assertThat(second.succeeded()).as("%s", second.result()).isTrue();
        assertThat(nix.hasPath(second.store(), cache.closureRoot())).isTrue();
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).as("upstream requests during the second copy: %s",
                upstream.counts()).isZero();
    }

    @Test
    void metricsCountEveryNarAndNarInfoServedAsMissOnTheFirstCopyAndAsHitOnTheNext() throws InterruptedException {
        int paths = cache.storePaths().size();
        assertThat(counter(metricsAfterFirstCopy, NARINFO_SERVED, "miss")).isEqualTo(paths);
        assertThat(counter(metricsAfterFirstCopy, NAR_SERVED, "miss")).isEqualTo(paths);
        // nix asks for some narinfos twice; the repeats are hits.
        assertThat(counter(metricsAfterFirstCopy, NARINFO_SERVED, "hit"))
                .isEqualTo(requestsOfFirstCopy.narInfos() - paths);
        assertThat(counter(metricsAfterFirstCopy, NAR_SERVED, "hit")).isEqualTo(requestsOfFirstCopy.nars() - paths);

        String before = Http.text(Http.get(http, ncps.url("/metrics")));
        accessLog.clear();
        assertThat(nix.copyClosure(ncps.url(), servedKey, cache.closureRoot()).succeeded()).isTrue();
        Served second = servedRequests();
        String after = Http.text(Http.get(http, ncps.url("/metrics")));

        assertThat(second.narInfos()).isGreaterThanOrEqualTo(paths);
        assertThat(second.nars()).isEqualTo(paths);
        assertThat(accessLog.keyValues()).filteredOn(fields -> String.valueOf(fields.get("url.path")).startsWith("/nar/"))
                .hasSize(paths).allSatisfy(fields -> assertThat(fields)
                        .containsEntry("http.request.method", "GET").containsEntry("http.response.status_code", 200)
                        .containsEntry("ncps.cache.result", "hit")
                        .containsKeys("http.response.body.bytes", "event.duration", "client.address"));
        assertThat(counter(after, NARINFO_SERVED, "hit") - counter(before, NARINFO_SERVED, "hit")).isEqualTo(second.narInfos());
        assertThat(counter(after, NAR_SERVED, "hit") - counter(before, NAR_SERVED, "hit")).isEqualTo(second.nars());
        assertThat(counter(after, NARINFO_SERVED, "miss")).isEqualTo(paths);
        assertThat(counter(after, NAR_SERVED, "miss")).isEqualTo(paths);
        String narRequests = "http_server_request_duration_seconds_count{http_request_method=\"GET\",http_response_status_class=\"2xx\",http_route=\"/nar/{hash}.nar\"}";
        assertThat(sample(after, narRequests) - sample(before, narRequests)).isEqualTo(second.nars());
        assertThat(sample(after, "http_server_response_body_bytes_total{http_route=\"/nar/{hash}.nar\"}"))
                .isGreaterThan(sample(before, "http_server_response_body_bytes_total{http_route=\"/nar/{hash}.nar\"}"));
        // The scrape itself is the one request in flight.
        assertThat(sample(after, "http_server_active_requests")).isEqualTo(1);
    }

    @Test
    void rangeRequestsOnAStoredNarAnswerTheRightBytes() throws Exception {
        String narUrl = "/" + NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + bigHash() + ".narinfo")))).url();
        byte[] whole = Http.get(http, ncps.url(narUrl)).body();
        int size = whole.length;
        assertThat(size).isGreaterThan(1_000_000);

        HttpResponse<byte[]> middle = Http.get(http, ncps.url(narUrl), "Range", "bytes=1000-1999");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/" + size);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(whole, 1000, 2000));

        HttpResponse<byte[]> tail = Http.get(http, ncps.url(narUrl), "Range", "bytes=" + (size - 70_000) + "-");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("Content-Range")).hasValue("bytes " + (size - 70_000) + "-" + (size - 1) + "/" + size);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole, size - 70_000, size));

        HttpResponse<byte[]> suffix = Http.get(http, ncps.url(narUrl), "Range", "bytes=-500");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes " + (size - 500) + "-" + (size - 1) + "/" + size);
        assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(whole, size - 500, size));

        HttpResponse<byte[]> outside = Http.get(http, ncps.url(narUrl), "Range", "bytes=" + size + "-");
        assertThat(outside.statusCode()).isEqualTo(416);
        assertThat(outside.headers().firstValue("Content-Range")).hasValue("bytes */" + size);

        HttpResponse<byte[]> head = Http.head(http, ncps.url(narUrl));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(size);
        assertThat(head.body()).isEmpty();
    }

    private String bigHash() {
        return cache.storePaths().stream().filter(path -> path.endsWith("-bigdata")).map(NixUpstreamCache::hashOf)
                .findFirst().orElseThrow(() -> new IllegalStateException("no bigdata path in " + cache.storePaths()));
    }

    /** Successful narinfo and NAR answers in the access log. */
    private record Served(long narInfos, long nars) {}

    /** What the access log holds so far; waits a moment, since Jetty logs a request after its answer is sent. */
    private Served servedRequests() throws InterruptedException {
        Thread.sleep(Duration.ofMillis(300));
        List<String> lines = accessLog.messages();
        return new Served(lines.stream().filter(NARINFO_OK.asPredicate()).count(),
                lines.stream().filter(NAR_OK.asPredicate()).count());
    }

    /** The value of one sample, named with its labels in the exposition's order. */
    static double sample(String metrics, String nameAndLabels) {
        return metrics.lines().filter(line -> line.startsWith(nameAndLabels + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(nameAndLabels.length() + 1)))
                .orElseThrow(() -> new AssertionError("no sample " + nameAndLabels + " in\n" + metrics));
    }

    /** The sum of a counter's samples whose labels include result="{@code result}". */
    private static double counter(String metrics, String name, String result) {
        Matcher sample = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        double sum = 0;
        while (sample.find()) {
            if (sample.group(1).contains("result=\"" + result + "\"")) {
                sum += Double.parseDouble(sample.group(2));
            }
        }
        return sum;
    }
}
