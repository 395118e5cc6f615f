package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.Closer;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads with {@code --cache-allow-put-verb}: ncps's upstream here is an empty binary cache, so whatever
 * ncps serves afterwards can only have come from the upload.
 */
@Tag("slow")
class UploadTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    @RegisterExtension
    private final Closer closer = new Closer();
    private final HttpClient http = closer.add(Http.client());
    private Path emptyCacheDir;
    private UpstreamServer emptyUpstream;

    @BeforeEach
    void startAnEmptyUpstream() throws IOException {
        emptyCacheDir = UpstreamServer.newCacheDir("empty-cache");
        closer.add(() -> TestDirs.deleteTree(emptyCacheDir));
        emptyUpstream = closer.add(new UpstreamServer(emptyCacheDir));
    }

    private InProcessNcps ncpsAcceptingUploads(Map<String, String> more) {
        Map<String, String> settings = new java.util.HashMap<>(more);
        settings.put("CACHE_ALLOW_PUT_VERB", "true");
        return closer.add(InProcessNcps.start(emptyUpstream.url(), cache.publicKey(), settings));
    }

    @Test
    void nixCopyToUploadStoresAClosureThatIsThenServedUnderUploadAndAtTheRoot() {
        NixClient nix = closer.add(new NixClient());
        InProcessNcps ncps = ncpsAcceptingUploads(Map.of());
        NixClient.Copy local;
        try (UpstreamServer realCache = new UpstreamServer(cache.cacheDir())) {
            local = nix.copyClosure(realCache.url(), cache.publicKey(), cache.closureRoot());
        }
        assertThat(local.succeeded()).as("%s", local.result()).isTrue();
        assertThat(nix.copyClosure(ncps.url(), ncps.publicKey(), cache.closureRoot()).succeeded())
                .as("before the upload ncps cannot serve the closure").isFalse();

        NixClient.Result upload = nix.nix(List.of("experimental-features = nix-command", "substituters =",
                        "require-sigs = false", "build-users-group =", "sandbox = false", "download-attempts = 1"),
                "copy", "--from", local.store().root().toString(), "--to", ncps.url("/upload").toString(), cache.closureRoot());
        assertThat(upload.succeeded()).as("%s", upload).isTrue();

        for (URI served : List.of(ncps.url("/upload"), ncps.url())) {
            NixClient.Copy copy = nix.copyClosure(served, ncps.publicKey(), cache.closureRoot());
            assertThat(copy.succeeded()).as("copy from %s: %s", served, copy.result()).isTrue();
            assertThat(nix.verify(copy.store(), cache.closureRoot(), ncps.publicKey()).succeeded()).isTrue();
        }
        assertThat(emptyUpstream.narRequests()).isZero();
    }

    @Test
    void aNarInfoWhoseNarHashDoesNotMatchTheUploadedNarIs400() throws Exception {
        // A changed NarHash breaks the upstream's signature; with signatures required that would be the 403 first.
        InProcessNcps ncps = ncpsAcceptingUploads(Map.of("CACHE_REQUIRE_TRUSTED_SIGNATURE", "false"));
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        assertThat(putNar(ncps, hash).statusCode()).isEqualTo(204);
        NarInfo real = NarInfo.parse(cache.narInfoText(hash));
        NarInfo otherHash = NarInfo.parse(cache.narInfoText(NixUpstreamCache.hashOf(cache.storePaths().get(1))));
        String wrong = cache.narInfoText(hash).replace(real.narHash().toNix32String(), otherHash.narHash().toNix32String());

        HttpResponse<byte[]> refused = putNarInfo(ncps, hash, wrong);

        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(400);
        assertThat(Http.text(refused)).contains("NarHash");
        assertThat(Http.get(http, ncps.url("/upload/" + hash + ".narinfo")).statusCode()).isEqualTo(404);
        assertThat(putNarInfo(ncps, hash, cache.narInfoText(hash)).statusCode()).as("the true narinfo").isEqualTo(204);
        assertThat(Http.get(http, ncps.url("/upload/" + hash + ".narinfo")).statusCode()).isEqualTo(200);
    }

    @Test
    void aNarInfoUploadedBeforeItsNarIs400() {
        InProcessNcps ncps = ncpsAcceptingUploads(Map.of());
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());

        HttpResponse<byte[]> refused = putNarInfo(ncps, hash, cache.narInfoText(hash));

        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(400);
        assertThat(Http.text(refused)).contains("upload it before its narinfo");
    }

    @Test
    void withRequireTrustedSignatureAnUntrustedNarInfoIs403AndATrustedOneIsAccepted() throws Exception {
        SecretKey trusted = SecretKey.generate("uploader-1");
        InProcessNcps ncps = ncpsAcceptingUploads(Map.of("CACHE_REQUIRE_TRUSTED_SIGNATURE", "true",
                "CACHE_TRUSTED_UPLOAD_KEYS", trusted.publicKey().toNixString()));
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        assertThat(putNar(ncps, hash).statusCode()).isEqualTo(204);
        NarInfo unsigned = NarInfo.parse(cache.narInfoText(hash)).withSignatures(List.of());

        HttpResponse<byte[]> refused = putNarInfo(ncps, hash, unsigned.serialize());
        HttpResponse<byte[]> accepted = putNarInfo(ncps, hash,
                unsigned.withSignatures(List.of(trusted.sign(unsigned.fingerprint()))).serialize());

        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(403);
        assertThat(accepted.statusCode()).as(Http.text(accepted)).isEqualTo(204);
    }

    private HttpResponse<byte[]> putNar(InProcessNcps ncps, String hash) throws IOException {
        return Http.put(http, ncps.url("/upload/" + cache.narUrl(hash)), Files.readAllBytes(cache.narFile(hash)));
    }

    private HttpResponse<byte[]> putNarInfo(InProcessNcps ncps, String hash, String text) {
        return Http.put(http, ncps.url("/upload/" + hash + ".narinfo"), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
