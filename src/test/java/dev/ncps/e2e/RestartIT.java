package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real ncps jar as its own process: what it stored survives a graceful stop and a crash, and SIGTERM exits 0. */
@Tag("slow")
class RestartIT {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final NixClient nix = new NixClient();
    private final HttpClient http = Http.client();
    private Path dataDir;
    private UpstreamServer upstream;
    private NcpsProcess ncps;

    @BeforeEach
    void start() {
        dataDir = TestDirs.newWorkDir("ncps-process");
        upstream = new UpstreamServer(cache.cacheDir());
        ncps = NcpsProcess.start("ncps-restart", port -> NcpsProcess.serveLocally(port,
                InProcessNcps.storageDir(dataDir), dataDir.resolve("tmp"), upstream.url(), cache.publicKey()), Map.of("HOME", dataDir.toString()));
    }

    @AfterEach
    void stop() {
        ncps.close();
        upstream.close();
        http.close();
        nix.close();
        TestDirs.deleteTree(dataDir);
    }

    @Test
    void sigtermExitsWithZeroAndARestartServesEverythingWithoutTheUpstream() {
        String key = copyThroughNcps();

        assertThat(ncps.terminate(Duration.ofSeconds(20))).as("exit code after SIGTERM; log:\n%s", ncps.logTail(20)).isZero();
        ncps.start();

        assertRestartedWithEverything(key);
    }

    @Test
    void aCrashAndARestartOnTheSameDataDirectoryKeepEveryPath() {
        String key = copyThroughNcps();

        ncps.kill();
        ncps.start();

        assertRestartedWithEverything(key);
    }

    /** A first copy, fetching everything from upstream; returns the key ncps signs with. */
    private String copyThroughNcps() {
        String key = publicKey();
        NixClient.Copy first = nix.copyClosure(ncps.url(), key, cache.closureRoot());
        assertThat(first.succeeded()).as("%s", first.result()).isTrue();
        assertThat(upstream.narRequests()).isEqualTo(cache.storePaths().size());
        return key;
    }

    private void assertRestartedWithEverything(String keyBefore) {
        upstream.resetCounts();
        assertThat(publicKey()).as("the signing key after the restart").isEqualTo(keyBefore);

        NixClient.Copy again = nix.copyClosure(ncps.url(), keyBefore, cache.closureRoot());

        assertThat(again.succeeded()).as("%s", again.result()).isTrue();
        assertThat(nix.verify(again.store(), cache.closureRoot(), keyBefore).succeeded()).isTrue();
        assertThat(upstream.narInfoRequests() + upstream.narRequests()).as("upstream requests after the restart: %s",
                upstream.counts()).isZero();
    }

    private String publicKey() {
        return Http.text(Http.get(http, ncps.url().resolve("/pubkey"))).strip();
    }
}
