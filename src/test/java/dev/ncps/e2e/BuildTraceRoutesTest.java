package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.SecretKey;
import dev.ncps.nix.StorePath;
import dev.ncps.testing.Closer;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /build-trace-v2/<drv>/<output>.doi} through a running ncps: relayed from an upstream whose key signed the
 * entry, kept, and served signed by ncps too; uploads under the narinfo rules. What ncps serves is parsed back as
 * Nix would and its signatures verified.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildTraceRoutesTest {
    private static final String DRV = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a-producer.drv";
    private static final String STRANGER_DRV = "1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b-stranger.drv";
    private static final String OUT = "2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c-produced";

    @AutoClose
    private final Closer closer = new Closer();
    private final SecretKey upstreamKey = SecretKey.generate("upstream.test-1");
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        Path dir = UpstreamServer.newCacheDir("trace-upstream");
        publish(dir, signed(DRV, "out", OUT, upstreamKey));
        publish(dir, signed(STRANGER_DRV, "out", OUT, SecretKey.generate("stranger-1")));
        upstream = closer.add(new UpstreamServer(dir));
        ncps = closer.add(InProcessNcps.start(upstream.url(), upstreamKey.publicKey().toNixString(), Map.of("CACHE_ALLOW_PUT_VERB", "true")));
        http = closer.add(Http.client());
    }

    private static BuildTrace signed(String drv, String output, String out, SecretKey key) throws Exception {
        BuildTrace trace = new BuildTrace(StorePath.parseBaseName(drv), output, StorePath.parseBaseName(out), List.of());
        return trace.withSignatures(List.of(key.sign(trace.fingerprint())));
    }

    private static void publish(Path dir, BuildTrace trace) throws Exception {
        Path file = dir.resolve("build-trace-v2").resolve(trace.drvPath().baseName()).resolve(trace.outputName() + ".doi");
        Files.createDirectories(file.getParent());
        Files.writeString(file, trace.valueJson());
    }

    private static String path(String drv, String output) {
        return "/build-trace-v2/" + drv + "/" + output + ".doi";
    }

    /** Parses a served body as Nix does and checks that ncps's signature verifies over the entry's fingerprint. */
    private BuildTrace servedAndSignedByNcps(HttpResponse<byte[]> response, String drv, String output) throws Exception {
        assertThat(response.statusCode()).as(Http.text(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        BuildTrace served = BuildTrace.parse(StorePath.parseBaseName(drv), output, Http.text(response));
        PublicKey ours = PublicKey.parse(ncps.publicKey());
        assertThat(served.signatures()).anyMatch(signature -> ours.verify(served.fingerprint(), signature));
        return served;
    }

    @Test
    void anEntrySignedByTheUpstreamKeyIsRelayedSignedByNcpsTooAndKept() throws Exception {
        BuildTrace served = servedAndSignedByNcps(Http.get(http, ncps.url(path(DRV, "out"))), DRV, "out");

        assertThat(served.outPath().baseName()).isEqualTo(OUT);
        assertThat(served.signatures()).anyMatch(signature -> upstreamKey.publicKey().verify(served.fingerprint(), signature));
        // Kept: the upstream is asked once, HEAD and the path without .doi answer from the index.
        assertThat(Http.head(http, ncps.url(path(DRV, "out"))).statusCode()).isEqualTo(200);
        servedAndSignedByNcps(Http.get(http, ncps.url("/build-trace-v2/" + DRV + "/out")), DRV, "out");
        assertThat(upstream.requests(path(DRV, "out"))).isOne();
    }

    @Test
    void anEntryNoConfiguredKeySignedOrAnUnknownOneIsNotFound() {
        assertThat(Http.get(http, ncps.url(path(STRANGER_DRV, "out"))).statusCode()).isEqualTo(404);
        assertThat(Http.get(http, ncps.url(path(DRV, "dev"))).statusCode()).isEqualTo(404);
        assertThat(Http.get(http, ncps.url(path(STRANGER_DRV, "out"))).statusCode()).isEqualTo(404);
        assertThat(upstream.requests(path(STRANGER_DRV, "out"))).isEqualTo(2);
    }

    @Test
    void badPathsAreRefusedBeforeAnyLookup() {
        assertThat(Http.get(http, ncps.url("/build-trace-v2/" + OUT + "/out.doi")).statusCode()).isEqualTo(400);
        assertThat(Http.get(http, ncps.url("/build-trace-v2/" + DRV + "/.doi")).statusCode()).isEqualTo(400);
        assertThat(Http.get(http, ncps.url("/build-trace-v2/" + DRV)).statusCode()).isEqualTo(400);
        assertThat(Http.get(http, ncps.url("/build-trace-v2/" + DRV + "/out/x.doi")).statusCode()).isEqualTo(400);
    }

    @Test
    void uploadsNeedATrustedSignatureAndNeverReplaceAnotherOutputSilently() throws Exception {
        String drv = "3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d-uploaded.drv";
        BuildTrace trace = signed(drv, "out", OUT, upstreamKey);
        byte[] unsigned = ("{\"outPath\":\"" + OUT + "\",\"signatures\":[]}").getBytes(StandardCharsets.UTF_8);

        assertThat(Http.put(http, ncps.url("/upload" + path(drv, "out")), unsigned).statusCode()).isEqualTo(403);
        assertThat(Http.put(http, ncps.url(path(drv, "out")), bytes(trace.valueJson())).statusCode()).isEqualTo(405);
        assertThat(Http.put(http, ncps.url("/upload" + path(drv, "out")), bytes("{\"outPath\":1}")).statusCode()).isEqualTo(400);
        assertThat(Http.get(http, ncps.url("/upload" + path(drv, "out"))).statusCode()).isEqualTo(404);

        assertThat(Http.put(http, ncps.url("/upload" + path(drv, "out")), bytes(trace.valueJson())).statusCode()).isEqualTo(204);

        assertThat(servedAndSignedByNcps(Http.get(http, ncps.url(path(drv, "out"))), drv, "out").outPath()).isEqualTo(trace.outPath());
        servedAndSignedByNcps(Http.get(http, ncps.url("/upload" + path(drv, "out"))), drv, "out");
        assertThat(upstream.requests(path(drv, "out"))).isZero();
        assertThat(Http.put(http, ncps.url("/upload" + path(drv, "out")), bytes(trace.valueJson())).statusCode()).isEqualTo(204);
        BuildTrace other = signed(drv, "out", "4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f-other", upstreamKey);
        HttpResponse<byte[]> conflict = Http.put(http, ncps.url("/upload" + path(drv, "out")), bytes(other.valueJson()));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(Http.text(conflict)).contains("cache.allow-upload-overwrite");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
