package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.nix.NarBuilder;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NarListing;
import dev.ncps.nix.NarReader;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.Closer;
import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The listing of a NAR with 400,000 files (24 MiB of JSON), asked for by four clients at once, in a heap smaller than
 * the launcher's default. Listed into the heap (every entry, then the JSON text, then its bytes), one such request
 * was enough to exhaust it; a listing is now written to a temp file as the NAR is read and streamed from storage.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeListingIT {
    private static final int FILES = 400_000;
    private static final String HASH = "0123456789abcdfghijklmnpqrsvwxyz";

    @AutoClose
    private final Closer closer = new Closer();
    private NcpsProcess ncps;
    private UpstreamServer upstream;
    private HttpClient http;
    private String expected;

    @BeforeAll
    void start() throws Exception {
        SecretKey key = SecretKey.generate("many-files.example-1");
        Path cacheDir = UpstreamServer.newCacheDir("large-listing-upstream");
        NarBuilder nar = NarBuilder.archive().tokens("(", "type", "directory");
        for (int i = 0; i < FILES; i++) {
            nar.entry(String.format("f%07d", i)).regular("", false).str(")");
        }
        byte[] bytes = nar.str(")").build();
        NarReader.Summary summary = NarReader.read(new ByteArrayInputStream(bytes), true);
        expected = NarListing.json(summary.entries());
        String narHash = summary.narHash().toNix32String();
        String url = "nar/" + summary.narHash().nix32Digest() + ".nar";
        NarInfo unsigned = NarInfo.parse("StorePath: /nix/store/" + HASH + "-many-files\nURL: " + url
                + "\nCompression: none\nFileHash: " + narHash + "\nFileSize: " + bytes.length + "\nNarHash: " + narHash
                + "\nNarSize: " + bytes.length + "\nReferences: \n");
        NarInfo signed = unsigned.withSignatures(List.of(key.sign(unsigned.fingerprint())));
        Files.writeString(cacheDir.resolve(HASH + ".narinfo"), signed.serialize());
        Files.createDirectories(cacheDir.resolve("nar"));
        Files.write(cacheDir.resolve(url), bytes);

        Path dataDir = TestDirs.newWorkDir("large-listing");
        upstream = closer.add(new UpstreamServer(cacheDir));
        ncps = closer.add(NcpsProcess.start(NcpsProcess.locateJar(), "large-listing", port -> NcpsProcess.serveLocally(port,
                dataDir.resolve("storage"), dataDir.resolve("tmp"), upstream.url(), key.publicKey().toNixString()),
                Map.of("HOME", dataDir.toString()), Duration.ofSeconds(60), "96m"));
        http = closer.add(Http.client());
    }

    @Test
    void theListingOfANarWith400000FilesIsServedToSeveralClientsInA96MiBHeap() throws Exception {
        assertThat(expected.length()).as("the listing's size").isGreaterThan(20 << 20);
        List<CompletableFuture<HttpResponse<byte[]>>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.add(CompletableFuture.supplyAsync(() -> Http.get(http, ncps.url().resolve("/" + HASH + ".ls"))));
        }
        for (CompletableFuture<HttpResponse<byte[]>> read : reads) {
            HttpResponse<byte[]> got = read.get();
            assertThat(got.statusCode()).as(ncps.logTail(5)).isEqualTo(200);
            assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
        assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
        assertThat(upstream.requests("/" + HASH + ".ls")).as("the upstream has no listing, so ncps made its own").isPositive();
    }
}
