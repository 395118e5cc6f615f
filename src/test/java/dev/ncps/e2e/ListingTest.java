package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /<hash>.ls}: ncps's listing of every path of a real closure is byte for byte the one nix-bin writes
 * with {@code nix copy --to file://...?write-nar-listing=true}, made once and then served from storage.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private NixClient nix;
    private HttpClient http;
    private Path nixListings;

    @BeforeAll
    void start() {
        upstream = new UpstreamServer(cache.cacheDir());
        ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
        nix = new NixClient();
        http = Http.client();
        nixListings = TestDirs.newWorkDir("listings").resolve("cache");
        NixClient.Result copy = nix.nix(List.of("experimental-features = nix-command", "build-users-group =",
                        "substituters =", "fsync-metadata = false"),
                "copy", "--store", cache.cacheDir().resolveSibling("store").toString(),
                "--to", "file://" + nixListings + "?write-nar-listing=true", cache.closureRoot());
        assertThat(copy.succeeded()).as("%s", copy).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {http, nix, ncps, upstream}) {
            closeable.close();
        }
    }

    @Test
    void everyListingIsTheOneNixWritesAndIsMadeOnce() throws IOException {
        for (String path : cache.storePaths()) {
            String hash = NixUpstreamCache.hashOf(path);
            HttpResponse<byte[]> response = Http.get(http, ncps.url("/" + hash + ".ls"));
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(Http.text(response)).as(path).isEqualTo(Files.readString(nixListings.resolve(hash + ".ls")));
        }
        upstream.resetCounts();
        for (String path : cache.storePaths()) {
            assertThat(Http.get(http, ncps.url("/" + NixUpstreamCache.hashOf(path) + ".ls")).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).isZero();
    }

    @Test
    void aPathNoUpstreamHasHasNoListingAndABadHashIsRefused() {
        assertThat(Http.get(http, ncps.url("/" + "0".repeat(32) + ".ls")).statusCode()).isEqualTo(404);
        assertThat(Http.get(http, ncps.url("/not-a-hash.ls")).statusCode()).isEqualTo(400);
    }

    @Test
    void nixStoreLsReadsAPathThroughNcps() {
        NixClient.Result ls = nix.nix(List.of("experimental-features = nix-command", "trusted-public-keys = "
                + ncps.publicKey()), "store", "ls", "--store", ncps.url().toString(), "-R", cache.closureRoot());
        assertThat(ls.succeeded()).as("%s", ls).isTrue();
        assertThat(ls.stdout()).contains("./share/doc/README");
    }
}
