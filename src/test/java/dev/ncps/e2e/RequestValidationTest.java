package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests ncps refuses before they reach an upstream, the database or a file: bad hashes, traversal, huge headers, verbs, tokens. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestValidationTest {
    private static final String VALID_NIX32_52 = "04d5q13nh4rlnpvywlx0wwnf4f5pw5hnvh7vgdf3dcgra89850pa";

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private HttpClient http;

    @BeforeAll
    void start() {
        upstream = new UpstreamServer(cache.cacheDir());
        ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
        http = Http.client();
    }

    @AfterAll
    void stop() {
        http.close();
        ncps.close();
        upstream.close();
    }

    @BeforeEach
    void resetUpstreamCounts() {
        upstream.resetCounts();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/1fcsg3ws9casjpcg4q1ba58bjr99q3x.narinfo",                                   // 31 characters
            "/1FCSG3WS9CASJPCG4Q1BA58BJR99Q3XC.narinfo",                                  // uppercase
            "/1fcsg3ws9casjpcg4q1ba58bjr99q3xe.narinfo",                                  // e
            "/1fcsg3ws9casjpcg4q1ba58bjr99q3xo.narinfo",                                  // o
            "/1fcsg3ws9casjpcg4q1ba58bjr99q3xu.narinfo",                                  // u
            "/1fcsg3ws9casjpcg4q1ba58bjr99q3xt.narinfo",                                  // t
            "/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.narinfo",  // 64 hex
            "/nar/04d5q13nh4rlnpvywlx0wwnf4f5pw5hnvh7vgdf3dcgra89850p.nar.xz",            // 51 characters
            "/nar/04d5q13nh4rlnpvywlx0wwnf4f5pw5hnvh7vgdf3dcgra89850pe.nar.xz",           // 53 characters
            "/nar/04D5Q13NH4RLNPVYWLX0WWNF4F5PW5HNVH7VGDF3DCGRA89850PA.nar.xz",           // uppercase
            "/nar/04d5q13nh4rlnpvywlx0wwnf4f5pw5hnvh7vgdf3dcgra89850te.nar.xz",           // t, e
            "/nar/" + VALID_NIX32_52 + ".nar.gzz",                                        // unknown compression
    })
    void aMalformedHashIs400AndNeverReachesTheUpstream(String path) {
        HttpResponse<byte[]> response = Http.get(http, ncps.url(path));

        assertThat(response.statusCode()).as("%s: %s", path, Http.text(response)).isEqualTo(400);
        assertThat(Http.text(response)).containsAnyOf("invalid", "unknown");
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/nar/../../etc/passwd",
            "/nar/%2e%2e/%2e%2e/etc/passwd",
            "/nar/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
            "/..%2f..%2fetc/passwd",
            "/nar/..%2f..%2f..%2fetc%2fpasswd",
            "/upload/../../etc/passwd",
            "/upload/nar/..%2f..%2fetc%2fpasswd",
            "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd.narinfo",
    })
    void aPathTraversalAttemptIs400Or404AndReadsNoFile(String target) {
        Http.RawResponse response = Http.raw(ncps.url(), "GET", target, "");

        assertThat(response.status()).as("%s: %s", target, response.text()).isIn(400, 404);
        assertThat(response.text()).doesNotContain("root:");
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).isZero();
    }

    @Test
    void requestHeadersOver16KiBAre431() {
        Http.RawResponse small = Http.raw(ncps.url(), "GET", "/nix-cache-info", "X-Padding: " + "a".repeat(8 * 1024) + "\r\n");
        Http.RawResponse big = Http.raw(ncps.url(), "GET", "/nix-cache-info", "X-Padding: " + "a".repeat(17 * 1024) + "\r\n");

        assertThat(small.status()).isEqualTo(200);
        assertThat(big.status()).isEqualTo(431);
    }

    @Test
    void putWithoutAllowPutVerbIs405() throws Exception {
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        String nar = "/upload/" + cache.narUrl(hash);

        HttpResponse<byte[]> narInfo = Http.put(http, ncps.url("/upload/" + hash + ".narinfo"), cache.narInfoText(hash).getBytes());
        HttpResponse<byte[]> narFile = Http.put(http, ncps.url(nar), java.nio.file.Files.readAllBytes(cache.narFile(hash)));
        HttpResponse<byte[]> atRoot = Http.put(http, ncps.url("/" + hash + ".narinfo"), cache.narInfoText(hash).getBytes());

        assertThat(narInfo.statusCode()).as(Http.text(narInfo)).isEqualTo(405);
        assertThat(Http.text(narInfo)).contains("--cache-allow-put-verb");
        assertThat(narFile.statusCode()).isEqualTo(405);
        assertThat(atRoot.statusCode()).isEqualTo(405);
        assertThat(Http.get(http, ncps.url("/upload/" + hash + ".narinfo")).statusCode()).isEqualTo(404);
    }

    @Test
    void withAGetTokenReadsNeedTheBearerTokenButHealthChecksAndMetricsStayOpen() {
        try (InProcessNcps guarded = InProcessNcps.start(upstream.url(), cache.publicKey(),
                Map.of("CACHE_GET_TOKEN", "s3cret-token", "PROMETHEUS_ENABLED", "true"))) {
            String narInfo = "/" + NixUpstreamCache.hashOf(cache.closureRoot()) + ".narinfo";

            assertThat(Http.get(http, guarded.url("/pubkey")).statusCode()).isEqualTo(401);
            assertThat(Http.get(http, guarded.url(narInfo)).statusCode()).isEqualTo(401);
            assertThat(Http.get(http, guarded.url(narInfo), "Authorization", "Bearer wrong-token").statusCode()).isEqualTo(401);
            assertThat(Http.get(http, guarded.url(narInfo), "Authorization", "Basic czNjcmV0LXRva2Vu").statusCode()).isEqualTo(401);
            assertThat(Http.head(http, guarded.url(narInfo)).statusCode()).isEqualTo(401);
            assertThat(upstream.narInfoRequests()).as("refused requests never reach the upstream").isZero();

            assertThat(Http.get(http, guarded.url(narInfo), "Authorization", "Bearer s3cret-token").statusCode()).isEqualTo(200);
            assertThat(Http.get(http, guarded.url("/healthz")).statusCode()).isEqualTo(200);
            assertThat(Http.get(http, guarded.url("/readyz")).statusCode()).isEqualTo(200);
            assertThat(Http.get(http, guarded.url("/nix-cache-info")).statusCode())
                    .as("the load balancer check of the HA guide works with a token configured").isEqualTo(200);
            assertThat(Http.get(http, guarded.url("/metrics")).statusCode()).isEqualTo(200);
        }
    }
}
