package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.SmallVolume;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real ncps jar with its SQLite database on a volume that fills up and is freed: while full, {@code /readyz}
 * says why it is not ready, {@code /healthz} still says the process lives, and a new narinfo gets 503; once space
 * is back, new narinfos are served again without a restart.
 */
@Tag("slow")
@Tag("security")
class DatabaseOutageIT {
    private static final Duration RECOVERY = Duration.ofSeconds(15);

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFullDatabaseVolumeTurnsReadinessOffAndNarinfosComeBackOnceItIsFreed() throws Exception {
        SmallVolume.unavailable().ifPresent(reason -> assumeTrue(false, reason));
        Path dataDir = TestDirs.newWorkDir("ncps-db-outage");
        List<String> hashes = cache.storePaths().stream().map(NixUpstreamCache::hashOf).toList();
        try (SmallVolume volume = SmallVolume.mount(16 * 1024 * 1024);
             UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             NcpsProcess ncps = NcpsProcess.start("ncps-db-outage", port -> NcpsProcess.serveLocally(port,
                     dataDir.resolve("storage"), dataDir.resolve("tmp"), upstream.url(), cache.publicKey(),
                     "--cache-database-url", "sqlite:" + volume.dir().resolve("ncps.db")), Map.of("HOME", dataDir.toString()))) {
            assertThat(get(ncps, "/" + hashes.get(0) + ".narinfo").statusCode()).isEqualTo(200);

            volume.fill();
            Processes.await("/readyz to answer 503", RECOVERY, () -> get(ncps, "/readyz").statusCode() == 503);
            assertThat(get(ncps, "/readyz").body()).isEqualTo("database writes fail\n");
            assertThat(get(ncps, "/healthz").statusCode()).as("liveness while the database is full").isEqualTo(200);
            assertThat(get(ncps, "/" + hashes.get(1) + ".narinfo").statusCode()).isEqualTo(503);

            volume.free();
            Processes.await("a new narinfo to be served", RECOVERY,
                    () -> get(ncps, "/" + hashes.get(1) + ".narinfo").statusCode() == 200);
            for (String hash : hashes.subList(2, hashes.size())) {
                assertThat(get(ncps, "/" + hash + ".narinfo").statusCode()).as("narinfo %s", hash).isEqualTo(200);
            }
            assertThat(get(ncps, "/readyz").statusCode()).isEqualTo(200);
        } finally {
            http.close();
            TestDirs.deleteTree(dataDir);
        }
    }

    private HttpResponse<String> get(NcpsProcess ncps, String path) {
        try {
            return http.send(HttpRequest.newBuilder(ncps.url().resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
