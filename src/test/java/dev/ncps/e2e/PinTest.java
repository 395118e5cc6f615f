package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Closer;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pins against a real closure built by nix-bin: pinning a path fetches its whole closure from the upstream, and after
 * the real nix client copied the whole closure through ncps, LRU with a maximum size far below the closure removes
 * every path outside the pinned closure and none inside it.
 *
 * <p>The closure (scripts/mkupstream.sh): app → curl, bigdata, openssl; curl → openssl, zlib, libc; openssl → zlib,
 * libc; zlib → libc; bigdata → libc.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinTest {
    /**
     * LRU runs in a second instance on the same storage and database, once the copies are done: running all along, it
     * would evict an unpinned narinfo between nix's narinfo and NAR requests, as it should in so small a cache.
     */
    private static final Map<String, String> LRU = Map.of("CACHE_MAX_SIZE", "1K", "CACHE_LRU_SCHEDULE", "@every 1s");
    private static final Duration WALK_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NAR_URL = Pattern.compile("(?m)^URL: (\\S+)$");
    private static final Pattern FILE_HASH = Pattern.compile("(?m)^FileHash: sha256:([0-9a-z]+)$");

    @AutoClose
    private final Closer closer = new Closer();
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private NixClient nix;
    private HttpClient http;

    @BeforeAll
    void start() {
        upstream = closer.add(new UpstreamServer(cache.cacheDir()));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("PROMETHEUS_ENABLED", "true")));
        nix = closer.add(new NixClient());
        http = closer.add(Http.client());
    }

    @Test
    void aPinnedClosureIsFetchedWholeAndSurvivesLruWhileEverythingElseIsEvicted() {
        String curl = hashNamed("curl-8.9");
        List<String> closure = List.of(curl, hashNamed("openssl-3.3"), hashNamed("zlib-1.3"), hashNamed("libc-2.40"));

        String pinned = Http.text(Http.send(http, "POST", ncps.url("/pin/" + curl + ".narinfo"), new byte[0]));
        assertThat(pinned).contains("\"hash\":\"" + curl + "\"");
        awaitState(ncps, curl, "complete");
        assertThat(status(ncps, curl)).contains("\"paths\":4,\"fetched\":4");
        assertThat(Http.text(Http.get(http, ncps.url("/pins")))).isEqualTo("[\"" + curl + "\"]\n");
        for (String hash : closure) {
            assertThat(ncps.storedFilesNamed(fileHash(hash))).as("NAR of %s fetched by the pin", hash).hasSize(1);
        }

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), cache.closureRoot());
        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
        try (InProcessNcps evicting = ncps.sibling(LRU)) {
            assertThat(Http.text(Http.get(http, evicting.url("/pins")))).as("the pins are in the shared index")
                    .isEqualTo("[\"" + curl + "\"]\n");
            for (String hash : List.of(hashNamed("app-1.0"), hashNamed("bigdata"))) {
                Processes.await("LRU evicts the unpinned " + hash, WALK_TIMEOUT, () -> ncps.storedFilesNamed(fileHash(hash)).isEmpty());
            }
        }

        // LRU frees a NAR file only with the last narinfo row naming it: a NAR still stored is a narinfo still indexed.
        upstream.resetCounts();
        for (String hash : closure) {
            assertThat(ncps.storedFilesNamed(fileHash(hash))).as("pinned NAR of %s", hash).hasSize(1);
            String narInfo = Http.text(Http.get(http, ncps.url("/" + hash + ".narinfo")));
            Matcher url = NAR_URL.matcher(narInfo);
            assertThat(url.find()).as(narInfo).isTrue();
            assertThat(Http.get(http, ncps.url("/" + url.group(1))).statusCode()).isEqualTo(200);
        }
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).as("the pinned closure is served without the upstream").isZero();

        String metrics = Http.text(Http.get(http, ncps.url("/metrics")));
        assertThat(metrics).contains("ncps_pin_operations_total{operation=\"pin\",result=\"ok\"}")
                .contains("ncps_pin_operations_total{operation=\"walk\",result=\"ok\"}")
                .containsPattern("ncps_pinned_paths [4-9]");
    }

    /**
     * On an instance of its own: a narinfo evicted by LRU is still served from memory for up to a minute, and the
     * client copy of the other test would then miss its NAR.
     */
    @Test
    void anUnpinnedPathIsEvictedAgain() {
        String bigdata = hashNamed("bigdata");
        try (InProcessNcps own = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of())) {
            assertThat(Http.send(http, "POST", own.url("/pin/" + bigdata + ".narinfo"), new byte[0]).statusCode()).isEqualTo(200);
            awaitState(own, bigdata, "complete");
            assertThat(own.storedFilesNamed(fileHash(bigdata))).hasSize(1);

            var unpinned = Http.send(http, "DELETE", own.url("/pin/" + bigdata + ".narinfo"), new byte[0]);
            assertThat(unpinned.statusCode()).isEqualTo(200);
            assertThat(Http.text(unpinned)).isEqualTo("unpinned\n");
            assertThat(Http.get(http, own.url("/pin/" + bigdata + ".narinfo")).statusCode()).isEqualTo(404);
            try (InProcessNcps evicting = own.sibling(LRU)) {
                Processes.await("LRU evicts the unpinned path", WALK_TIMEOUT, () -> own.storedFilesNamed(fileHash(bigdata)).isEmpty());
            }

            // Its narinfo is still in the instance's memory, its row is not: pinning again fetches it whole again.
            assertThat(Http.send(http, "POST", own.url("/pin/" + bigdata + ".narinfo"), new byte[0]).statusCode()).isEqualTo(200);
            awaitState(own, bigdata, "complete");
            assertThat(own.storedFilesNamed(fileHash(bigdata))).hasSize(1);
        }
    }

    @Test
    void pinsOfUnknownOrMalformedPathsAreRefusedAndUnpinningIsIdempotentAsInGo() {
        String unknown = "0".repeat(32);
        var missing = Http.send(http, "POST", ncps.url("/pin/" + unknown + ".narinfo"), new byte[0]);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Http.get(http, ncps.url("/pin/" + unknown + ".narinfo")).statusCode()).isEqualTo(404);
        assertThat(Http.send(http, "POST", ncps.url("/pin/not-a-hash.narinfo"), new byte[0]).statusCode()).isEqualTo(400);
        assertThat(Http.send(http, "PUT", ncps.url("/pin/" + unknown + ".narinfo"), new byte[0]).statusCode()).isEqualTo(405);
        var unpin = Http.send(http, "DELETE", ncps.url("/pin/" + unknown + ".narinfo"), new byte[0]);
        assertThat(unpin.statusCode()).isEqualTo(200);
        assertThat(Http.text(unpin)).isEqualTo("not pinned\n");
    }

    private String status(InProcessNcps server, String hash) {
        return Http.text(Http.get(http, server.url("/pin/" + hash + ".narinfo")));
    }

    private void awaitState(InProcessNcps server, String hash, String state) {
        Processes.await("pin " + hash + " " + state, WALK_TIMEOUT,
                () -> status(server, hash).contains("\"state\":\"" + state + "\""));
    }

    private String hashNamed(String name) {
        return cache.storePaths().stream().filter(path -> path.endsWith("-" + name)).map(NixUpstreamCache::hashOf)
                .findFirst().orElseThrow(() -> new IllegalStateException("no path named " + name + " in " + cache.storePaths()));
    }

    /** The nix32 FileHash, which names the NAR ncps stores. */
    private String fileHash(String hash) {
        Matcher m = FILE_HASH.matcher(cache.narInfoText(hash));
        assertThat(m.find()).as("FileHash of %s", hash).isTrue();
        return m.group(1);
    }
}
