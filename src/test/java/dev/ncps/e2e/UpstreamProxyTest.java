package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TinyproxyServer;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream requests through a real HTTP proxy taken from the standard environment variables. The upstream is
 * named {@code upstream.test}, which does not resolve: only the proxy knows where it is (tinyproxy hands it
 * to the upstream server on loopback), so a request that did not go through the proxy cannot succeed.
 */
@Tag("slow")
class UpstreamProxyTest {
    private static final String SITE = "upstream.test";

    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String hash = NixUpstreamCache.hashOf(cache.closureRoot());
    private UpstreamServer upstream;
    private TinyproxyServer proxy;
    private InProcessNcps ncps;

    @BeforeEach
    void start() {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        proxy = closer.add(TinyproxyServer.start(Map.of(SITE, upstream.port())));
    }

    private URI siteUrl() {
        return URI.create("http://" + SITE + ":" + upstream.port());
    }

    @Test
    void narInfosAndNarsAreFetchedThroughTheProxyFromTheEnvironment() throws Exception {
        ncps = closer.add(InProcessNcps.start(siteUrl(), cache.publicKey(), Map.of("http_proxy", proxy.url().toString())));

        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        assertThat(narInfo.statusCode()).as(Http.text(narInfo)).isEqualTo(200);
        HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

        assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(200);
        assertThat(upstream.requests("/" + cache.narUrl(hash))).isEqualTo(1);
        assertThat(proxy.requestLog()).contains("http://" + SITE + ":" + upstream.port() + "/" + hash + ".narinfo")
                .contains("http://" + SITE + ":" + upstream.port() + "/" + cache.narUrl(hash));
    }

    @Test
    void noProxyMakesTheRequestsGoDirect() {
        ncps = closer.add(InProcessNcps.start(siteUrl(), cache.publicKey(),
                Map.of("HTTP_PROXY", proxy.url().toString(), "NO_PROXY", "example.org, " + SITE)));

        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));

        assertThat(narInfo.statusCode()).as("%s does not resolve without the proxy", SITE).isEqualTo(502);
        assertThat(proxy.requestLog()).doesNotContain("http://" + SITE);
        assertThat(upstream.total()).isZero();
    }
}
