package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.e2e.LogCapture;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Error answers say what failed in ncps's terms: which upstream (by host), never its credentials, URLs or
 * status details, never exception text or file paths. The details go to the log, with credentials masked.
 */
@Tag("slow")
@Tag("security")
class ErrorBodyLeakTest {
    private static final String SECRET = "pa55word-in-url";

    private final NixUpstreamCache cache = NixUpstreamCache.standard();

    @Test
    void anUpstreamFailureNamesTheUpstreamHostButNeverItsCredentialsOrUrl() {
        String root = NixUpstreamCache.hashOf(cache.closureRoot());
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             LogCapture log = new LogCapture("dev.ncps");
             HttpClient http = Http.client()) {
            URI withCredentials = URI.create("http://ncps-user:" + SECRET + "@" + Processes.LOOPBACK + ":" + upstream.port());
            try (InProcessNcps ncps = InProcessNcps.start(withCredentials, cache.publicKey(), Map.of())) {
                upstream.inject(UpstreamServer.exactly("/" + root + ".narinfo"), Fault.status(503));

                HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + root + ".narinfo"));

                assertThat(narInfo.statusCode()).isEqualTo(502);
                assertThat(Http.text(narInfo)).contains(Processes.LOOPBACK).doesNotContain(SECRET)
                        .doesNotContain("ncps-user").doesNotContain("http://").doesNotContain(".narinfo").doesNotContain("503");

                upstream.clearFaults();
                String narUrl = dev.ncps.nix.NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + root + ".narinfo")))).url();
                upstream.inject("/nar/.*", Fault.status(500));
                HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + narUrl));

                assertThat(nar.statusCode()).isEqualTo(502);
                assertThat(Http.text(nar)).doesNotContain(SECRET).doesNotContain("http://").doesNotContain("500")
                        .doesNotContain("Exception");

                upstream.clearFaults();
                upstream.inject("/nar/.*", Fault.status(404));
                HttpResponse<byte[]> missing = Http.get(http, ncps.url("/" + narUrl));

                assertThat(missing.statusCode()).isGreaterThanOrEqualTo(400);
                assertThat(Http.text(missing)).contains(Processes.LOOPBACK).doesNotContain(SECRET).doesNotContain("http://")
                        .doesNotContain("/nar/").doesNotContain("404");
            } catch (dev.ncps.nix.NixParseException e) {
                throw new IllegalStateException(e);
            }
            assertThat(log.messages()).isNotEmpty().noneSatisfy(line -> assertThat(line).contains(SECRET));
        }
    }

    @Test
    void anInternalFailureIs500WithoutExceptionTextOrPaths() throws Exception {
        Path emptyCache = TestDirs.newWorkDir("empty-cache");
        Files.writeString(emptyCache.resolve("nix-cache-info"), "StoreDir: /nix/store\n");
        String root = NixUpstreamCache.hashOf(cache.closureRoot());
        try (UpstreamServer upstream = new UpstreamServer(emptyCache);
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_ALLOW_PUT_VERB", "true"));
             HttpClient http = Http.client()) {
            // The folder of uploads in progress becomes a file: the next upload cannot create its temp file.
            Path downloads = ncps.storageDir().resolveSibling("tmp").resolve("ncps-downloads");
            TestDirs.deleteTree(downloads);
            Files.writeString(downloads, "not a folder");

            HttpResponse<byte[]> failed = Http.put(http, ncps.url("/upload/" + cache.narUrl(root)), Files.readAllBytes(cache.narFile(root)));

            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(Http.text(failed)).doesNotContain("/").doesNotContain("Exception").doesNotContain("ncps-downloads");
        } finally {
            TestDirs.deleteTree(emptyCache);
        }
    }
}
