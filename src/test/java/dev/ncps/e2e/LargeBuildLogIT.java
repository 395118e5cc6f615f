package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A build log near the 64 MiB limit, uploaded and then read by several clients at once, in a heap smaller than the
 * launcher's default. Read whole into the heap, one such upload ended the process (OutOfMemoryError with
 * -XX:+ExitOnOutOfMemoryError under the default 128 MiB heap); logs now go through a temp file and are streamed.
 */
@Tag("slow")
class LargeBuildLogIT {
    private static final String TOKEN = "large-log-token-0123456789";
    private static final String DRV = "0123456789abcdfghijklmnpqrsvwxyz-big-build.drv";

    @Test
    void aLogNearTheLimitIsStoredAndServedToSeveralClientsInA96MiBHeap() throws Exception {
        byte[] line = "make[3]: compiling a very long translation unit with many warnings, line after line\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] log = new byte[60 * 1024 * 1024];
        for (int i = 0; i < log.length; i++) {
            log[i] = line[i % line.length];
        }
        NixUpstreamCache cache = NixUpstreamCache.standard();
        Path dataDir = TestDirs.newWorkDir("large-log");
        try (UpstreamServer upstream = new UpstreamServer(UpstreamServer.newCacheDir("large-log-upstream"));
             NcpsProcess ncps = NcpsProcess.start(NcpsProcess.locateJar(), "large-log", port -> List.of("serve",
                     "--server-addr", "127.0.0.1:" + port,
                     "--cache-hostname", "test.local",
                     "--cache-storage-local", dataDir.resolve("storage").toString(),
                     "--cache-temp-path", dataDir.resolve("tmp").toString(),
                     "--cache-upstream-url", upstream.url().toString(),
                     "--cache-upstream-public-key", cache.publicKey(),
                     "--cache-allow-put-verb", "true",
                     "--cache-upload-token", TOKEN), Map.of("HOME", dataDir.toString()), Duration.ofSeconds(60), "96m");
             HttpClient http = Http.client()) {
            HttpResponse<byte[]> put = Http.send(http, "PUT", ncps.url().resolve("/upload/log/" + DRV), log,
                    "Authorization", "Bearer " + TOKEN);
            assertThat(put.statusCode()).as(Http.text(put)).isEqualTo(204);

            List<CompletableFuture<HttpResponse<byte[]>>> reads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reads.add(CompletableFuture.supplyAsync(() -> Http.get(http, ncps.url().resolve("/log/" + DRV))));
            }
            for (CompletableFuture<HttpResponse<byte[]>> read : reads) {
                HttpResponse<byte[]> got = read.get();
                assertThat(got.statusCode()).isEqualTo(200);
                assertThat(Arrays.equals(got.body(), log)).as("the log read back is the one uploaded").isTrue();
            }
            assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
        }
    }
}
