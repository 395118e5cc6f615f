package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.e2e.LogCapture;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hostile upstream (or anything that can change its unsigned narinfo URL field or its redirects) tries to
 * make ncps fetch from internal services: other ports on loopback under several spellings, and paths outside
 * the upstream's base URL. Every refused target is refused before any connection: the "internal service"
 * listeners here must never see one. Only loopback is ever connected to; the other private ranges are
 * covered without any network by the upstream package's address policy tests.
 */
@Tag("slow")
@Tag("security")
class UpstreamTargetsTest {
    private static final String REFUSED_METRIC = "ncps_upstream_target_refused_total";

    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String hash = NixUpstreamCache.hashOf(cache.closureRoot());
    private Victim victim4;
    private Victim victim6;
    private UpstreamServer upstream;
    private InProcessNcps ncps;

    @BeforeEach
    void internalServices() {
        victim4 = closer.add(new Victim("127.0.0.1"));
        victim6 = closer.add(new Victim("::1"));
    }

    /** Internal targets on loopback, each spelled so that a naive host comparison lets it through. */
    static Stream<String> internalTargets() {
        return Stream.of(
                "http://127.0.0.1:{v4}/latest/meta-data",
                "http://localhost:{v4}/admin",
                "http://0.0.0.0:{v4}/admin",
                "http://[::1]:{v6}/admin",
                "http://[::ffff:127.0.0.1]:{v4}/admin",
                "http://[::ffff:7f00:1]:{v4}/admin",
                "http://user:secret@127.0.0.1:{v4}/admin");
    }

    @ParameterizedTest(name = "narinfo URL {0}")
    @MethodSource("internalTargets")
    void anAbsoluteNarUrlToAnInternalServiceIsRefusedBeforeConnecting(String target) throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"), Fault.replaceBody(withUrl(resolve(target))));

        assertNarRefused(target);
    }

    @ParameterizedTest(name = "redirect to {0}")
    @MethodSource("internalTargets")
    void aNarRedirectToAnInternalServiceIsRefusedBeforeConnecting(String target) throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)), Fault.redirect(resolve(target)));

        assertNarRefused(target);
    }

    @Test
    void aNarInfoRedirectToAnInternalServiceIsRefusedBeforeConnecting() {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of()));
        upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"),
                Fault.redirect("http://localhost:" + victim4.port() + "/" + hash + ".narinfo"));

        HttpResponse<byte[]> response = Http.get(http, ncps.url("/" + hash + ".narinfo"));

        assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(502);
        assertThat(victim4.connections()).isZero();
    }

    static Stream<String> escapingUrls() {
        return Stream.of("../{nar}", "/{nar}", "%2e%2e/{nar}", "..%2f{nar}", "%2E%2E%2F{nar}", "sub/../../{nar}",
                "http://127.0.0.1:{up}/{nar}");
    }

    @ParameterizedTest(name = "narinfo URL {0}")
    @MethodSource("escapingUrls")
    void aNarUrlLeavingTheUpstreamBasePathIsRefused(String url) throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        URI base = URI.create(upstream.url() + "/cache");
        upstream.inject(UpstreamServer.exactly("/cache/nix-cache-info"), Fault.replaceBody("StoreDir: /nix/store\n"));
        upstream.inject(UpstreamServer.exactly("/cache/" + hash + ".narinfo"),
                Fault.replaceBody(withUrl(url.replace("{nar}", cache.narUrl(hash)).replace("{up}", "" + upstream.port()))));
        ncps = closer.add(InProcessNcps.start(base, cache.publicKey(), Map.of()));

        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        assertThat(narInfo.statusCode()).as(Http.text(narInfo)).isEqualTo(200);
        HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

        assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(502);
        assertThat(upstream.counts().keySet()).as("paths requested at the upstream's host").allMatch(path -> path.startsWith("/cache/"));
    }

    @Test
    void anAllowListedInternalTargetIsFetched() throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        try (UpstreamServer narStore = new UpstreamServer(cache.cacheDir())) {
            ncps = closer.add(InProcessNcps.start(URI.create(upstream.url() + "?allow-target=127.0.0.1:" + narStore.port()),
                    cache.publicKey(), Map.of()));
            upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"),
                    Fault.replaceBody(withUrl(narStore.url() + "/" + cache.narUrl(hash))));

            HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
            HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

            assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(200);
            assertThat(narStore.requests("/" + cache.narUrl(hash))).isEqualTo(1);
            assertThat(upstream.narRequests()).isZero();
        }
    }

    @Test
    void aRedirectToTheUpstreamItselfIsFollowed() throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of()));
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)),
                Fault.redirect(upstream.url() + "/" + cache.narUrl(hash)), 1);

        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

        assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(200);
        assertThat(upstream.requests("/" + cache.narUrl(hash))).isEqualTo(2);
    }

    @Test
    void aRedirectLoopEndsAfterFiveHopsAndIsCounted() throws Exception {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)), Fault.redirect(upstream.url() + "/" + cache.narUrl(hash)));

        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

        assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(502);
        assertThat(upstream.requests("/" + cache.narUrl(hash))).isEqualTo(6);
        assertThat(Http.text(Http.get(http, ncps.url("/metrics"))))
                .containsPattern(REFUSED_METRIC + "\\{[^}]*reason=\"too_many_redirects\"[^}]*} 1\\.0");
    }

    private void assertNarRefused(String target) throws Exception {
        try (LogCapture log = new LogCapture("dev.ncps.upstream")) {
            HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
            assertThat(narInfo.statusCode()).as(Http.text(narInfo)).isEqualTo(200);

            HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + NarInfo.parse(Http.text(narInfo)).url()));

            assertThat(victim4.connections() + victim6.connections()).as("connections to the internal service").isZero();
            String body = Http.text(nar);
            assertThat(nar.statusCode()).as(body).isEqualTo(502);
            assertThat(body.strip()).doesNotContain("\n").contains("127.0.0.1:" + upstream.port())
                    .doesNotContain(String.valueOf(victim4.port())).doesNotContain(String.valueOf(victim6.port()))
                    .doesNotContain("localhost").doesNotContain("::").doesNotContain("secret");
            assertThat(log.messages()).filteredOn(line -> line.contains("refused"))
                    .hasSize(1).allMatch(line -> !line.contains("secret") && !line.contains("\n"));
            String metrics = Http.text(Http.get(http, ncps.url("/metrics")));
            assertThat(metrics).containsPattern(REFUSED_METRIC + "\\{[^}]*reason=\"internal_address\"[^}]*} 1\\.0");
        }
    }

    private String resolve(String target) {
        return target.replace("{v4}", "" + victim4.port()).replace("{v6}", "" + victim6.port());
    }

    /** The upstream's own narinfo with another URL: the URL field is not covered by the signature. */
    private String withUrl(String url) {
        return cache.narInfoText(hash).replaceFirst("(?m)^URL: .*$", java.util.regex.Matcher.quoteReplacement("URL: " + url));
    }

    /** An internal service on loopback that counts the connections it is offered and closes them at once. */
    private static final class Victim implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger connections = new AtomicInteger();

        Victim(String address) {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getByName(address));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket accepted = socket.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already closed; nothing else holds the port.
            }
        }
    }
}
