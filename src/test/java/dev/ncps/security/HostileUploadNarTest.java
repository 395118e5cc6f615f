package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;
import dev.ncps.testing.Closer;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An uploader (allowed to upload, with a trusted key) who sends a decompression bomb as a NAR and a
 * narinfo claiming a small NarSize: the narinfo is refused after at most NarSize of decoded output.
 */
@Tag("slow")
@Tag("security")
class HostileUploadNarTest {
    @RegisterExtension
    private final Closer closer = new Closer();
    private final HostileCache cache = closer.add(new HostileCache());
    private final HttpClient http = closer.add(Http.client());
    private UpstreamServer emptyUpstream;
    private InProcessNcps ncps;

    @Test
    void anUploadedXzBombIsRefusedOnceItsOutputPassesTheSignedNarSize() throws IOException {
        emptyUpstream = closer.add(new UpstreamServer(cache.dir()));
        ncps = closer.add(InProcessNcps.start(emptyUpstream.url(), cache.publicKey(), Map.of("CACHE_ALLOW_PUT_VERB", "true",
                "CACHE_REQUIRE_TRUSTED_SIGNATURE", "true", "CACHE_TRUSTED_UPLOAD_KEYS", cache.publicKey())));
        Path bomb = cache.bomb(Compression.XZ, 32L << 20);
        byte[] bytes = Files.readAllBytes(bomb);
        String url = "nar/" + HostileCache.sha256(bytes).nix32Digest() + ".nar.xz";
        StorePath path = new StorePath(HostileCache.sha256(bytes).nix32Digest().substring(0, 32), "uploaded-bomb");
        NarInfo narInfo = cache.signed(new NarInfo(path, url, Compression.XZ, HostileCache.sha256(bytes), bytes.length,
                HostileCache.sha256(HostileCache.VICTIM_NAR), HostileCache.VICTIM_NAR.length, List.of(), null, null, List.of(), null));

        HttpResponse<byte[]> nar = Http.put(http, ncps.url("/upload/" + url), bytes);
        HttpResponse<byte[]> refused = Http.put(http, ncps.url("/upload/" + path.hashPart() + ".narinfo"),
                narInfo.serialize().getBytes(StandardCharsets.UTF_8));

        assertThat(nar.statusCode()).as(Http.text(nar)).isEqualTo(204);
        assertThat(refused.statusCode()).as(Http.text(refused)).isEqualTo(400);
        assertThat(Http.text(refused)).contains("larger than its signed NarSize of " + HostileCache.VICTIM_NAR.length);
        assertThat(Http.get(http, ncps.url("/upload/" + path.hashPart() + ".narinfo")).statusCode()).isEqualTo(404);
    }
}
