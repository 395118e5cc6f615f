package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /log/<drv>}: nix-bin's {@code nix log} reads build logs through ncps, and {@code nix store copy-log} uploads them. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildLogTest {
    private static final String LOG = "building relayed-1.0\nok \"done\"\n";

    @AutoClose
    private final Closer closer = new Closer();
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private NixClient nix;
    private HttpClient http;
    private String relayedPath;
    private String relayedDrv;

    /** The upstream: the closure's narinfos (nix log finds the derivation through them) and one build log. */
    @BeforeAll
    void start() throws Exception {
        Path dir = UpstreamServer.newCacheDir("log-upstream");
        for (Map.Entry<String, Path> narInfo : cache.narInfoFiles().entrySet()) {
            Files.copy(narInfo.getValue(), dir.resolve(narInfo.getValue().getFileName()));
        }
        relayedPath = cache.storePaths().get(1);
        relayedDrv = deriver(relayedPath);
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(dir.resolve("log").resolve(relayedDrv), LOG);
        upstream = closer.add(new UpstreamServer(dir));
        ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_ALLOW_PUT_VERB", "true")));
        nix = closer.add(new NixClient());
        http = closer.add(Http.client());
    }

    private String deriver(String storePath) throws Exception {
        return NarInfo.parse(cache.narInfoText(NixUpstreamCache.hashOf(storePath))).deriver();
    }

    /** {@code nix log} of a store path: Nix reads the path's narinfo for its Deriver, then {@code log/<drv>}. */
    private NixClient.Result nixLog(String storePath) {
        return nix.nix(List.of("experimental-features = nix-command", "substituters =", "trusted-public-keys = "
                + ncps.publicKey()), "log", "--store", ncps.url().toString(), storePath);
    }

    @Test
    void anUpstreamLogIsRelayedToNixLogAndKept() throws Exception {
        NixClient.Result log = nixLog(relayedPath);

        assertThat(log.succeeded()).as("%s", log).isTrue();
        assertThat(log.stdout()).isEqualTo(LOG);
        assertThat(Http.text(Http.get(http, ncps.url("/log/" + relayedDrv)))).isEqualTo(LOG);
        assertThat(upstream.requests("/log/" + relayedDrv)).isOne();
        // Counted toward the LRU limit with the narinfo of its output, which nix log fetched first.
        assertThat(ncps.sideObjectKeys()).contains("store/log/" + relayedDrv.substring(0, 32));
    }

    @Test
    void aMissingLogIsNotFoundAndABadPathIsRefused() {
        assertThat(Http.get(http, ncps.url("/log/" + "0".repeat(32) + "-none.drv")).statusCode()).isEqualTo(404);
        assertThat(Http.get(http, ncps.url("/log/not-a-drv")).statusCode()).isEqualTo(400);
        assertThat(Http.get(http, ncps.url("/log/" + "0".repeat(32) + "-none.txt")).statusCode()).isEqualTo(400);
    }

    @Test
    void nixStoreCopyLogUploadsALogThatIsThenServed() throws Exception {
        Path store = cache.cacheDir().resolveSibling("store");
        String drv = deriver(cache.closureRoot());

        NixClient.Result upload = nix.nix(List.of("experimental-features = nix-command"), "store", "copy-log",
                "--store", store.toString(), "--to", ncps.url("/upload").toString(), "/nix/store/" + drv);

        assertThat(upload.succeeded()).as("%s", upload).isTrue();
        assertThat(Http.get(http, ncps.url("/log/" + drv)).statusCode()).isEqualTo(200);
        String uploaded = "uploaded by CI\n";
        String other = cache.storePaths().get(2);
        assertThat(Http.put(http, ncps.url("/upload/log/" + deriver(other)), uploaded.getBytes(StandardCharsets.UTF_8))
                .statusCode()).isEqualTo(204);
        assertThat(nixLog(other).stdout()).isEqualTo(uploaded);
        assertThat(Http.put(http, ncps.url("/log/" + deriver(other)), new byte[1]).statusCode()).isEqualTo(405);
    }

    @Test
    void aLogTheUpstreamBreaksOffIsA502NamingOnlyItsHostAndNothingIsKept() throws Exception {
        String drv = "4123456789abcdfghijklmnpqrsvwxyz-broken.drv";
        Files.writeString(upstream.root().resolve("log").resolve(drv), "line\n".repeat(10_000));
        UpstreamServer.Rule cut = upstream.inject(UpstreamServer.exactly("/log/" + drv), new Fault.Truncate(1000));

        HttpResponse<byte[]> broken = Http.get(http, ncps.url("/log/" + drv));

        assertThat(broken.statusCode()).isEqualTo(502);
        assertThat(Http.text(broken)).isEqualTo("upstream " + upstream.url().getHost() + " failed while sending the build log\n");
        cut.remove();
        HttpResponse<byte[]> whole = Http.get(http, ncps.url("/log/" + drv));
        assertThat(Http.text(whole)).isEqualTo("line\n".repeat(10_000));
        assertThat(upstream.requests("/log/" + drv)).as("the broken log was not kept").isEqualTo(2);
    }

    @Test
    void concurrentRequestsForALogNotStoredYetShareOneFetchFromTheUpstream() throws Exception {
        String drv = "5123456789abcdfghijklmnpqrsvwxyz-shared.drv";
        String text = "compiling\n".repeat(50_000);
        Files.writeString(upstream.root().resolve("log").resolve(drv), text);
        UpstreamServer.Rule slow = upstream.inject(UpstreamServer.exactly("/log/" + drv), new Fault.Throttle(1 << 20));

        List<CompletableFuture<HttpResponse<byte[]>>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.add(CompletableFuture.supplyAsync(() -> Http.get(http, ncps.url("/log/" + drv))));
        }
        for (CompletableFuture<HttpResponse<byte[]>> read : reads) {
            assertThat(Http.text(read.get())).isEqualTo(text);
        }
        slow.remove();
        assertThat(upstream.requests("/log/" + drv)).isOne();
    }
}
