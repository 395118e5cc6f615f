package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;

import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.Closer;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.NixUpstreamCache.Compression;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What ncps does when its upstream misbehaves: never keep bad bytes, never vouch for a bad narinfo, say why. */
@Tag("slow")
class UpstreamFaultsTest {
    @RegisterExtension
    private final Closer closer = new Closer();
    private final NixClient nix = closer.add(new NixClient());
    private final HttpClient http = closer.add(Http.client());
    private UpstreamServer upstream;
    private InProcessNcps ncps;

    private NixUpstreamCache startWith(Compression compression) {
        NixUpstreamCache cache = compression == Compression.XZ ? NixUpstreamCache.standard()
                : NixUpstreamCache.of(new NixUpstreamCache.Spec("standard-none", Compression.NONE, 1, 0));
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        return cache;
    }

    static Stream<Arguments> brokenNarBodies() {
        LongFunction<Fault> corrupt = size -> Fault.corrupt();
        LongFunction<Fault> truncate = size -> Fault.truncate(size / 2);
        return Stream.of(
                Arguments.of(Compression.NONE, "corrupt", corrupt),
                Arguments.of(Compression.NONE, "truncated", truncate),
                Arguments.of(Compression.XZ, "corrupt", corrupt),
                Arguments.of(Compression.XZ, "truncated", truncate));
    }

    @ParameterizedTest(name = "{0} NAR, {1}")
    @MethodSource("brokenNarBodies")
    void aBrokenNarFailsTheCopyIsNotKeptAndIsFetchedAgainOnceTheUpstreamIsFixed(
            Compression compression, String what, LongFunction<Fault> fault) throws Exception {
        NixUpstreamCache cache = startWith(compression);
        String bigPath = bigPath(cache);
        String hash = NixUpstreamCache.hashOf(bigPath);
        String upstreamNar = "/" + cache.narUrl(hash);
        String servedNar = "/" + NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hash + ".narinfo")))).url();
        String narFileHash = fileHashPart(servedNar);
        UpstreamServer.Rule broken = upstream.inject(UpstreamServer.exactly(upstreamNar),
                fault.apply(Files.size(cache.narFile(hash))));

        NixClient.Copy failed = nix.copyClosure(ncps.url(), ncps.publicKey(), bigPath);

        assertThat(failed.succeeded()).as("copy of a %s NAR: %s", what, failed.result()).isFalse();
        assertThat(failed.result().stderr()).contains("error");
        assertThat(nix.hasPath(failed.store(), bigPath)).isFalse();
        assertThat(upstream.requests(upstreamNar)).isEqualTo(1);
        Processes.await("the failed download's temp file to be removed", Duration.ofSeconds(5),
                () -> ncps.tempFiles().isEmpty());
        assertThat(ncps.storedFilesNamed(narFileHash)).as("stored files of the broken NAR").isEmpty();

        broken.remove();
        NixClient.Copy fixed = nix.copyClosure(ncps.url(), ncps.publicKey(), bigPath);

        assertThat(fixed.succeeded()).as("%s", fixed.result()).isTrue();
        assertThat(nix.verify(fixed.store(), bigPath, ncps.publicKey()).succeeded()).isTrue();
        assertThat(upstream.requests(upstreamNar)).as("the NAR was fetched again").isEqualTo(2);
        assertThat(ncps.storedFilesNamed(narFileHash)).hasSize(1);
    }

    @Test
    void aNarInfoWithATamperedNarHashIsRefusedWith502SayingWhyAndCounted() throws Exception {
        NixUpstreamCache cache = startWith(Compression.XZ);
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        String original = cache.narInfoText(hash);
        String narHash = NarInfo.parse(original).narHash().toNix32String();
        String tampered = original.replace(narHash, flipLastCharacter(narHash));
        assertThat(tampered).isNotEqualTo(original);

        assertRefusedWith502AndLogged(hash, tampered);
    }

    @Test
    void aNarInfoSignedByAnotherKeyUnderTheUpstreamKeyNameIsRefusedWith502SayingWhyAndCounted() throws Exception {
        NixUpstreamCache cache = startWith(Compression.XZ);
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        NarInfo original = NarInfo.parse(cache.narInfoText(hash));
        String keyName = cache.publicKey().substring(0, cache.publicKey().indexOf(':'));
        String impostor = SecretKey.generate(keyName).sign(original.fingerprint());

        assertRefusedWith502AndLogged(hash, original.withSignatures(List.of(impostor)).serialize());
    }

    /**
     * Not a 404: Nix would remember that for an hour (narinfo-cache-negative-ttl) although the path exists upstream
     * and the fix (the right key) is on the operator's side. A 502 Nix retries, and its one line says why.
     */
    private void assertRefusedWith502AndLogged(String hash, String narInfo) {
        upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"), Fault.replaceBody(narInfo));
        String line = "upstream " + upstream.url().getHost() + " served a narinfo that failed verification (signature)";
        try (LogCapture log = new LogCapture("dev.ncps.upstream")) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                HttpResponse<byte[]> response = Http.get(http, ncps.url("/" + hash + ".narinfo"));

                assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(502);
                assertThat(Http.text(response).strip()).isEqualTo(line);
            }
            assertThat(log.messages()).anySatisfy(logged -> assertThat(logged)
                    .contains("rejecting narinfo " + hash).containsIgnoringCase("signature"));
        }
        assertThat(upstream.narRequests()).isZero();
        assertThat(Http.text(Http.get(http, ncps.url("/metrics")))).contains("ncps_upstream_narinfo_rejected_total{reason=\"signature\","
                + "upstream_hostname=\"" + upstream.url().getHost() + "\"} 2.0");
    }

    @Test
    void anUnreachableUpstreamOnAMissIs502NotA404() {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        URI closedPort = URI.create("http://" + Processes.LOOPBACK + ":" + Processes.freePort());
        ncps = closer.add(InProcessNcps.start(closedPort, cache.publicKey(), Map.of()));

        HttpResponse<byte[]> response = Http.get(http, ncps.url("/" + NixUpstreamCache.hashOf(cache.closureRoot()) + ".narinfo"));

        assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(502);
    }

    @Test
    void anUpstreamThatTimesOutOnAMissIs504() {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT", "300ms")));
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"), Fault.stallBeforeHeaders(Duration.ofSeconds(3)), 1);

        HttpResponse<byte[]> response = Http.get(http, ncps.url("/" + hash + ".narinfo"));

        assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(504);
        assertThat(Http.get(http, ncps.url("/" + hash + ".narinfo")).statusCode()).as("once it answers again").isEqualTo(200);
    }

    @Test
    void anUpstream5xxOnAMissIs502AndAnUpstream404IsA404() throws Exception {
        NixUpstreamCache cache = startWith(Compression.XZ);
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        upstream.inject(UpstreamServer.exactly("/" + hash + ".narinfo"), Fault.status(503), 1);
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)), Fault.status(500), 1);

        assertThat(Http.get(http, ncps.url("/" + hash + ".narinfo")).statusCode()).isEqualTo(502);
        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        assertThat(narInfo.statusCode()).as("once the upstream is back").isEqualTo(200);
        String nar = "/" + NarInfo.parse(Http.text(narInfo)).url();
        assertThat(Http.get(http, ncps.url(nar)).statusCode()).as("NAR while the upstream fails").isEqualTo(502);
        assertThat(Http.get(http, ncps.url(nar)).statusCode()).as("NAR once the upstream is back").isEqualTo(200);

        String unknown = "0".repeat(32);
        assertThat(Http.get(http, ncps.url("/" + unknown + ".narinfo")).statusCode()).isEqualTo(404);
        assertThat(upstream.requests("/" + unknown + ".narinfo")).isEqualTo(1);
    }

    static String bigPath(NixUpstreamCache cache) {
        return cache.storePaths().stream().filter(path -> path.endsWith("-bigdata")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no bigdata path in " + cache.storePaths()));
    }

    /** {@code /nar/<hash>.nar.xz} → {@code <hash>}. */
    static String fileHashPart(String narUrl) {
        String name = narUrl.substring(narUrl.lastIndexOf('/') + 1);
        return name.substring(0, name.indexOf('.'));
    }

    private static String flipLastCharacter(String text) {
        char last = text.charAt(text.length() - 1);
        return text.substring(0, text.length() - 1) + (last == '0' ? '1' : '0');
    }
}
