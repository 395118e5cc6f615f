package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A client without the upload token can neither pin (which makes ncps fetch a whole closure and keep it for ever)
 * nor unpin; the Go ncps lets anyone do both. Reading the pins follows the read rules (open here: no get token).
 */
@Tag("slow")
@Tag("security")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinAuthTest {
    private static final String TOKEN = "pin-upload-token";

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final HttpClient http = Http.client();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private String root;

    @BeforeAll
    void start() {
        upstream = new UpstreamServer(cache.cacheDir());
        ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_UPLOAD_TOKEN", TOKEN));
        root = NixUpstreamCache.hashOf(cache.closureRoot());
    }

    @AfterAll
    void stop() {
        ncps.close();
        upstream.close();
        http.close();
    }

    @Test
    void pinningAndUnpinningWithoutTheUploadTokenIs401AndChangesNothing() {
        upstream.resetCounts();
        HttpResponse<byte[]> pin = Http.send(http, "POST", ncps.url("/pin/" + root + ".narinfo"), new byte[0]);
        assertThat(pin.statusCode()).isEqualTo(401);
        assertThat(pin.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(Http.send(http, "POST", ncps.url("/pin/" + root + ".narinfo"), new byte[0], "Authorization", "Bearer wrong")
                .statusCode()).isEqualTo(401);
        // Health checks of nix-cache-info may land meanwhile; what a pin would fetch is narinfos and NARs.
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).as("a refused pin fetches nothing").isZero();
        assertThat(Http.text(Http.get(http, ncps.url("/pins")))).isEqualTo("[]\n");

        assertThat(Http.send(http, "POST", ncps.url("/pin/" + root + ".narinfo"), new byte[0], "Authorization", "Bearer " + TOKEN)
                .statusCode()).isEqualTo(200);
        assertThat(Http.send(http, "DELETE", ncps.url("/pin/" + root + ".narinfo"), new byte[0]).statusCode()).isEqualTo(401);
        assertThat(Http.text(Http.get(http, ncps.url("/pins")))).isEqualTo("[\"" + root + "\"]\n");
        assertThat(Http.send(http, "DELETE", ncps.url("/pin/" + root + ".narinfo"), new byte[0], "Authorization", "Bearer " + TOKEN)
                .statusCode()).isEqualTo(200);
        assertThat(Http.text(Http.get(http, ncps.url("/pins")))).isEqualTo("[]\n");
    }
}
