package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The NAR URLs ncps publishes are ones it serves, and HEAD answers with the headers GET would. */
@Tag("slow")
class NarRoutesTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String root = NixUpstreamCache.hashOf(cache.closureRoot());

    @Test
    void aNarInfoWithASha512FileHashGetsAUrlThatIsServed() throws Exception {
        Path dir = TestDirs.newWorkDir("sha512-cache");
        try {
            Files.writeString(dir.resolve("nix-cache-info"), "StoreDir: /nix/store\n");
            Path narFile = cache.narFile(root);
            Files.createDirectories(dir.resolve("nar"));
            Files.copy(narFile, dir.resolve(cache.narUrl(root)));
            byte[] bytes = Files.readAllBytes(narFile);
            Hash sha512 = Hash.of(HashAlgorithm.SHA512, MessageDigest.getInstance("SHA-512").digest(bytes));
            // FileHash is not signed: the upstream's signature stays valid.
            Files.writeString(dir.resolve(root + ".narinfo"),
                    cache.narInfoText(root).replaceFirst("(?m)^FileHash: .*$", "FileHash: " + sha512.toNix32String()));
            try (UpstreamServer upstream = new UpstreamServer(dir);
                 InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
                 HttpClient http = Http.client()) {
                String url = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + root + ".narinfo")))).url();

                HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + url));

                assertThat(nar.statusCode()).as("%s: %s", url, nar.statusCode() == 200 ? "" : Http.text(nar)).isEqualTo(200);
                assertThat(nar.body()).isEqualTo(bytes);
            }
        } finally {
            TestDirs.deleteTree(dir);
        }
    }

    @Test
    void headOfAnUncompressedNarHasTheHeadersOfGetWithTheSameAcceptEncoding() throws Exception {
        byte[] nar;
        try (InputStream in = Compression.XZ.decompress(Files.newInputStream(cache.narFile(root)))) {
            nar = in.readAllBytes();
        }
        String name = Hash.of(HashAlgorithm.SHA256, MessageDigest.getInstance("SHA-256").digest(nar)).nix32Digest();
        Path emptyCache = TestDirs.newWorkDir("empty-cache");
        Files.writeString(emptyCache.resolve("nix-cache-info"), "StoreDir: /nix/store\n");
        try (UpstreamServer upstream = new UpstreamServer(emptyCache);
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_ALLOW_PUT_VERB", "true"));
             HttpClient http = Http.client()) {
            URI url = ncps.url("/upload/nar/" + name + ".nar");
            assertThat(Http.put(http, url, nar).statusCode()).isEqualTo(204);

            for (String acceptEncoding : List.of("zstd", "gzip", "identity")) {
                HttpResponse<byte[]> get = Http.get(http, url, "Accept-Encoding", acceptEncoding);
                HttpResponse<byte[]> head = Http.head(http, url, "Accept-Encoding", acceptEncoding);

                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(head.statusCode()).isEqualTo(200);
                for (String header : List.of("Content-Encoding", "Content-Length", "Vary", "Content-Type", "Accept-Ranges")) {
                    assertThat(head.headers().allValues(header)).as("%s with Accept-Encoding %s", header, acceptEncoding)
                            .isEqualTo(get.headers().allValues(header));
                }
            }
        } finally {
            TestDirs.deleteTree(emptyCache);
        }
    }
}
