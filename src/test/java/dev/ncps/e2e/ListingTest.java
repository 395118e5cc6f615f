package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Closer;
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
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /<hash>.ls}: ncps's listing of every path of a real closure is byte for byte the one nix-bin writes
 * with {@code nix copy --to file://...?write-nar-listing=true}, made once and then served from storage. An
 * upstream that has listings (nix-bin's) has them relayed while the NAR is not here, unless they cannot be its.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingTest {
    @AutoClose
    private final Closer closer = new Closer();
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private NixClient nix;
    private HttpClient http;
    private Path nixListings;
    private UpstreamServer upstreamWithListings;
    private InProcessNcps relaying;

    @BeforeAll
    void start() throws IOException {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of()));
        nix = closer.add(new NixClient());
        http = closer.add(Http.client());
        nixListings = TestDirs.newWorkDir("listings").resolve("cache");
        NixClient.Result copy = nix.nix(List.of("experimental-features = nix-command", "build-users-group =",
                        "substituters =", "fsync-metadata = false"),
                "copy", "--store", cache.cacheDir().resolveSibling("store").toString(),
                "--to", "file://" + nixListings + "?write-nar-listing=true", cache.closureRoot());
        assertThat(copy.succeeded()).as("%s", copy).isTrue();
        upstreamWithListings = closer.add(new UpstreamServer(withListings()));
        relaying = closer.add(InProcessNcps.start(upstreamWithListings.url(), cache.publicKey(), Map.of()));
    }

    /** The signed cache with nix-bin's listings beside its narinfos; the listing of the last path claims a too large file. */
    private Path withListings() throws IOException {
        Path dir = TestDirs.newWorkDir("listing-upstream");
        try (var files = Files.walk(cache.cacheDir())) {
            for (Path file : files.toList()) {
                Path target = dir.resolve(cache.cacheDir().relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        for (String path : cache.storePaths()) {
            String name = NixUpstreamCache.hashOf(path) + ".ls";
            Files.copy(nixListings.resolve(name), dir.resolve(name));
        }
        // Parsed whole to be checked, an upstream's listing is bounded: this one is nix's, padded past 4 MiB.
        String padded = NixUpstreamCache.hashOf(cache.storePaths().get(1)) + ".ls";
        Files.writeString(dir.resolve(padded), Files.readString(dir.resolve(padded)) + " ".repeat(4 << 20));
        String last = NixUpstreamCache.hashOf(cache.storePaths().getLast()) + ".ls";
        Files.writeString(dir.resolve(last), "{\"version\":1,\"root\":{\"type\":\"regular\",\"size\":999999999999,\"narOffset\":96}}");
        return dir;
    }

    @Test
    void everyListingIsTheOneNixWritesAndIsMadeOnce() throws Exception {
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
        // Each listing counts toward the LRU limit with its narinfo.
        assertThat(ncps.sideObjectKeys()).filteredOn(key -> key.startsWith("store/ls/")).hasSize(cache.storePaths().size());
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

    @Test
    void anUpstreamListingIsRelayedUntilTheNarIsHereThenOursIsMade() throws IOException {
        String path = cache.storePaths().getFirst();
        String hash = NixUpstreamCache.hashOf(path);
        String expected = Files.readString(nixListings.resolve(hash + ".ls"));
        int narRequests = upstreamWithListings.narRequests();

        assertThat(Http.text(Http.get(http, relaying.url("/" + hash + ".ls")))).isEqualTo(expected);
        assertThat(upstreamWithListings.narRequests()).isEqualTo(narRequests);
        assertThat(upstreamWithListings.requests("/" + hash + ".ls")).isOne();

        String narUrl = Http.text(Http.get(http, relaying.url("/" + hash + ".narinfo"))).lines()
                .filter(line -> line.startsWith("URL: ")).findFirst().orElseThrow().substring("URL: ".length());
        assertThat(Http.get(http, relaying.url("/" + narUrl)).statusCode()).isEqualTo(200);
        assertThat(Http.text(Http.get(http, relaying.url("/" + hash + ".ls")))).isEqualTo(expected);
        assertThat(Http.text(Http.get(http, relaying.url("/" + hash + ".ls")))).isEqualTo(expected);
        assertThat(upstreamWithListings.requests("/" + hash + ".ls")).isOne();
    }

    @Test
    void anUpstreamListingThatCannotBeTheNarsIsReplacedByOurs() throws IOException {
        String hash = NixUpstreamCache.hashOf(cache.storePaths().getLast());
        int narRequests = upstreamWithListings.narRequests();

        HttpResponse<byte[]> response = Http.get(http, relaying.url("/" + hash + ".ls"));

        assertThat(Http.text(response)).isEqualTo(Files.readString(nixListings.resolve(hash + ".ls")));
        assertThat(upstreamWithListings.narRequests()).isGreaterThan(narRequests);
    }

    @Test
    void anUpstreamListingOver4MiBIsNotRelayedAndOursIsMade() throws IOException {
        String hash = NixUpstreamCache.hashOf(cache.storePaths().get(1));
        int narRequests = upstreamWithListings.narRequests();

        HttpResponse<byte[]> response = Http.get(http, relaying.url("/" + hash + ".ls"));

        assertThat(Http.text(response)).isEqualTo(Files.readString(nixListings.resolve(hash + ".ls")));
        assertThat(upstreamWithListings.narRequests()).isGreaterThan(narRequests);
    }

    @Test
    void aStoredListingAnswersRanges() {
        String hash = NixUpstreamCache.hashOf(cache.storePaths().getFirst());
        assertThat(Http.get(http, ncps.url("/" + hash + ".ls")).statusCode()).isEqualTo(200);

        HttpResponse<byte[]> range = Http.get(http, ncps.url("/" + hash + ".ls"), "Range", "bytes=0-9");

        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(Http.text(range)).isEqualTo("{\"version\"");
    }
}
