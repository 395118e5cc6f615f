package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a client of the upload routes can and cannot make ncps keep: who may write, which narinfos ncps signs,
 * and NARs that are not what their name says or larger than the limit. Every refused upload leaves nothing
 * behind. The upstream is an empty cache, so whatever ncps holds came from an upload.
 */
@Tag("slow")
@Tag("security")
class UploadRulesTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private java.nio.file.Path emptyCacheDir;
    private UpstreamServer emptyUpstream;
    private String root;

    @BeforeEach
    void start() throws IOException {
        emptyCacheDir = UpstreamServer.newCacheDir("empty-cache");
        closer.add(() -> TestDirs.deleteTree(emptyCacheDir));
        emptyUpstream = closer.add(new UpstreamServer(emptyCacheDir));
        root = NixUpstreamCache.hashOf(cache.closureRoot());
    }

    private InProcessNcps ncps(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of("CACHE_ALLOW_PUT_VERB", "true"));
        settings.putAll(more);
        return closer.add(InProcessNcps.start(emptyUpstream.url(), cache.publicKey(), settings));
    }

    @Test
    void withAnUploadTokenOnlyItMayWriteWhileTheReadTokenMayOnlyRead() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_GET_TOKEN", "reader", "CACHE_UPLOAD_TOKEN", "writer",
                "CACHE_ALLOW_DELETE_VERB", "true"));
        URI nar = ncps.url("/upload/" + cache.narUrl(root));
        byte[] bytes = Files.readAllBytes(cache.narFile(root));

        assertThat(Http.send(http, "PUT", nar, bytes, "Authorization", "Bearer reader").statusCode()).isEqualTo(401);
        assertThat(Http.send(http, "PUT", nar, bytes).statusCode()).isEqualTo(401);
        assertThat(Http.send(http, "PUT", nar, bytes, "Authorization", "Bearer writer").statusCode()).isEqualTo(204);
        assertThat(Http.send(http, "DELETE", nar, new byte[0], "Authorization", "Bearer reader").statusCode()).isEqualTo(401);

        assertThat(Http.get(http, nar).statusCode()).isEqualTo(401);
        assertThat(Http.get(http, nar, "Authorization", "Bearer reader").statusCode()).isEqualTo(200);
        assertThat(Http.get(http, nar, "Authorization", "Bearer writer").statusCode())
                .as("an uploader (netrc holds one password per host) reads what nix copy --to asks for").isEqualTo(200);
        assertThat(Http.send(http, "DELETE", nar, new byte[0], "Authorization", "Bearer writer").statusCode()).isEqualTo(204);
    }

    @Test
    void withOnlyAnUploadTokenReadsStayOpenAndWritesNeedIt() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_UPLOAD_TOKEN", "writer"));
        URI nar = ncps.url("/upload/" + cache.narUrl(root));
        byte[] bytes = Files.readAllBytes(cache.narFile(root));

        assertThat(Http.send(http, "PUT", nar, bytes).statusCode()).isEqualTo(401);
        assertThat(Http.get(http, nar).statusCode()).isEqualTo(404);
        assertThat(Http.send(http, "PUT", nar, bytes, "Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("nix:writer".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(204);
        assertThat(Http.get(http, nar).statusCode()).isEqualTo(200);
    }

    @Test
    void byDefaultOnlyANarInfoSignedByATrustedKeyIsSignedByNcps() throws Exception {
        InProcessNcps ncps = ncps(Map.of());
        assertThat(putNar(ncps, cache.narUrl(root), Files.readAllBytes(cache.narFile(root))).statusCode()).isEqualTo(204);
        NarInfo signed = NarInfo.parse(cache.narInfoText(root));

        HttpResponse<byte[]> unsigned = putNarInfo(ncps, root, signed.withSignatures(List.of()).serialize());
        assertThat(unsigned.statusCode()).as(Http.text(unsigned)).isEqualTo(403);
        assertThat(Http.text(unsigned)).contains("cache.require-trusted-signature");
        assertThat(Http.get(http, ncps.url("/upload/" + root + ".narinfo")).statusCode()).isEqualTo(404);

        HttpResponse<byte[]> byUpstreamKey = putNarInfo(ncps, root, signed.serialize());
        assertThat(byUpstreamKey.statusCode()).as(Http.text(byUpstreamKey)).isEqualTo(204);
    }

    @Test
    void whenTheOperatorOptsOutAnUnsignedNarInfoIsAcceptedAndSigned() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_REQUIRE_TRUSTED_SIGNATURE", "false"));
        assertThat(putNar(ncps, cache.narUrl(root), Files.readAllBytes(cache.narFile(root))).statusCode()).isEqualTo(204);

        HttpResponse<byte[]> unsigned = putNarInfo(ncps, root,
                NarInfo.parse(cache.narInfoText(root)).withSignatures(List.of()).serialize());

        assertThat(unsigned.statusCode()).as(Http.text(unsigned)).isEqualTo(204);
        assertThat(NarInfo.parse(Http.text(Http.get(http, ncps.url("/upload/" + root + ".narinfo")))).signatures())
                .anySatisfy(sig -> assertThat(sig).startsWith("test.local:"));
    }

    @Test
    void aNarWhoseBytesDoNotMatchItsNameIs400AndLeavesNothing() throws Exception {
        InProcessNcps ncps = ncps(Map.of());
        String other = NixUpstreamCache.hashOf(cache.storePaths().get(1));
        String name = cache.narUrl(root);

        HttpResponse<byte[]> refused = putNar(ncps, name, Files.readAllBytes(cache.narFile(other)));

        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(400);
        assertThat(Http.text(refused)).contains("does not match");
        assertNothingKept(ncps, name);
    }

    @Test
    void aNarAboveTheSizeLimitIs413WhetherItsLengthIsAnnouncedOrNot() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_MAX_UPLOAD_SIZE", "100B"));
        String name = cache.narUrl(root);
        byte[] bytes = Files.readAllBytes(cache.narFile(root));
        assertThat(bytes.length).isGreaterThan(100);

        Http.RawResponse announced = Http.raw(ncps.url(), "PUT", "/upload/" + name, "Content-Length: 5000000000\r\n");
        assertThat(announced.status()).as("refused before any body byte arrives: %s", announced.text()).isEqualTo(413);

        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(ncps.url("/upload/" + name))
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).as(Http.text(chunked)).isEqualTo(413);
        assertNothingKept(ncps, name);
    }

    @Test
    void aNarInfoWhoseUrlIsNoNarNameOfOursIs400WithTheReason() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_REQUIRE_TRUSTED_SIGNATURE", "false"));
        String text = cache.narInfoText(root).replaceFirst("(?m)^URL: .*$", "URL: nar/a.nar");

        HttpResponse<byte[]> refused = putNarInfo(ncps, root, text);

        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(400);
        assertThat(Http.text(refused)).contains("URL").doesNotContain("Range").doesNotContain("Exception");
    }

    private void assertNothingKept(InProcessNcps ncps, String name) {
        assertThat(Http.get(http, ncps.url("/upload/" + name)).statusCode()).isEqualTo(404);
        String file = name.substring(name.lastIndexOf('/') + 1);
        assertThat(ncps.storedFilesNamed(file)).isEmpty();
        assertThat(ncps.tempFiles()).isEmpty();
    }

    private HttpResponse<byte[]> putNar(InProcessNcps ncps, String name, byte[] bytes) {
        return Http.put(http, ncps.url("/upload/" + name), bytes);
    }

    private HttpResponse<byte[]> putNarInfo(InProcessNcps ncps, String hash, String text) {
        return Http.put(http, ncps.url("/upload/" + hash + ".narinfo"), text.getBytes(StandardCharsets.UTF_8));
    }
}
