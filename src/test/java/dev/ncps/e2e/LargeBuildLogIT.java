package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Closer;
import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Build logs up to and over the 64 MiB limit, uploaded or relayed from an upstream, in a heap smaller than the
 * launcher's default. Read whole into the heap, one upload near the limit ended the process (OutOfMemoryError with
 * -XX:+ExitOnOutOfMemoryError under the default 128 MiB heap), and four GETs of such a log relayed from an upstream
 * left it stuck collecting garbage; logs now go through a temp file and are streamed.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeBuildLogIT {
    private static final String TOKEN = "large-log-token-0123456789";
    private static final int LIMIT = 64 * 1024 * 1024;
    private static final byte[] LINE = "make[3]: compiling a very long translation unit with many warnings, line after line\n"
            .getBytes(StandardCharsets.UTF_8);

    @AutoClose
    private final Closer closer = new Closer();
    private NcpsProcess ncps;
    private UpstreamServer upstream;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        Path dataDir = TestDirs.newWorkDir("large-log");
        upstream = closer.add(new UpstreamServer(UpstreamServer.newCacheDir("large-log-upstream")));
        ncps = closer.add(NcpsProcess.start(NcpsProcess.locateJar(), "large-log", port -> NcpsProcess.serveLocally(port,
                dataDir.resolve("storage"), dataDir.resolve("tmp"), upstream.url(), NixUpstreamCache.standard().publicKey(),
                "--cache-allow-put-verb", "true", "--cache-upload-token", TOKEN), Map.of("HOME", dataDir.toString()), Duration.ofSeconds(60), "96m"));
        http = closer.add(Http.client());
    }

    @Test
    void aLogNearTheLimitIsStoredAndServedToSeveralClientsInA96MiBHeap() throws Exception {
        String drv = "0123456789abcdfghijklmnpqrsvwxyz-big-build.drv";
        byte[] log = new byte[60 * 1024 * 1024];
        for (int i = 0; i < log.length; i++) {
            log[i] = LINE[i % LINE.length];
        }
        HttpResponse<byte[]> put = Http.send(http, "PUT", ncps.url().resolve("/upload/log/" + drv), log,
                "Authorization", "Bearer " + TOKEN);
        assertThat(put.statusCode()).as(Http.text(put)).isEqualTo(204);

        List<CompletableFuture<HttpResponse<byte[]>>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.add(CompletableFuture.supplyAsync(() -> Http.get(http, ncps.url().resolve("/log/" + drv))));
        }
        for (CompletableFuture<HttpResponse<byte[]>> read : reads) {
            HttpResponse<byte[]> got = read.get();
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(Arrays.equals(got.body(), log)).as("the log read back is the one uploaded").isTrue();
        }
        assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
    }

    /**
     * A log an upstream serves near the limit, relayed to several clients at once: read whole into the heap, each
     * unauthenticated GET held a copy of it (and the text and its bytes on the way).
     */
    @Test
    void aLogRelayedFromAnUpstreamNearTheLimitIsServedToSeveralClientsInA96MiBHeap() throws Exception {
        String drv = "2123456789abcdfghijklmnpqrsvwxyz-relayed-build.drv";
        Path file = upstreamLog(drv, 60L * 1024 * 1024);
        byte[] log = Files.readAllBytes(file);

        List<CompletableFuture<HttpResponse<byte[]>>> reads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reads.add(CompletableFuture.supplyAsync(() -> Http.get(http, ncps.url().resolve("/log/" + drv))));
        }
        for (CompletableFuture<HttpResponse<byte[]>> read : reads) {
            HttpResponse<byte[]> got = read.get();
            assertThat(got.statusCode()).as(Http.text(got)).isEqualTo(200);
            assertThat(Arrays.equals(got.body(), log)).as("the log relayed is the upstream's").isTrue();
        }
        assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
        assertThat(Http.get(http, ncps.url().resolve("/log/" + drv)).statusCode()).isEqualTo(200);
    }

    @Test
    void aLogOverTheLimitAtAnUpstreamIsRefusedAndNothingIsKept() throws Exception {
        String drv = "3123456789abcdfghijklmnpqrsvwxyz-huge-build.drv";
        upstreamLog(drv, LIMIT + 1L);

        HttpResponse<byte[]> got = Http.get(http, ncps.url().resolve("/log/" + drv));

        assertThat(got.statusCode()).as(Http.text(got)).isEqualTo(502);
        assertThat(Http.text(got)).isEqualTo("the upstream's build log is longer than " + LIMIT + " bytes\n");
        assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
        Files.delete(upstream.root().resolve("log").resolve(drv));
        assertThat(Http.get(http, ncps.url().resolve("/log/" + drv)).statusCode()).as("nothing was kept").isEqualTo(404);
    }

    private Path upstreamLog(String drv, long size) throws Exception {
        Path file = Files.createDirectories(upstream.root().resolve("log")).resolve(drv);
        try (InputStream in = new RepeatedLine(size)) {
            Files.copy(in, file);
        }
        return file;
    }

    /** Without a Content-Length only the copy can see the limit pass; the byte over it must still be refused. */
    @Test
    void aLogOneByteOverTheLimitSentWithoutALengthIsRefusedAndNothingIsKept() throws Exception {
        String drv = "1123456789abcdfghijklmnpqrsvwxyz-too-big.drv";
        HttpRequest request = HttpRequest.newBuilder(ncps.url().resolve("/upload/log/" + drv))
                .header("Authorization", "Bearer " + TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new RepeatedLine(LIMIT + 1L))).build();
        HttpResponse<byte[]> put = http.send(request, HttpResponse.BodyHandlers.ofByteArray());

        assertThat(put.statusCode()).as(Http.text(put)).isEqualTo(413);
        assertThat(Http.text(put)).isEqualTo("a build log may be at most " + LIMIT + " bytes\n");
        assertThat(Http.get(http, ncps.url().resolve("/log/" + drv)).statusCode()).isEqualTo(404);
        assertThat(ncps.isRunning()).as(ncps.logTail(5)).isTrue();
    }

    /** {@code size} bytes of log lines, made as they are read. */
    private static final class RepeatedLine extends InputStream {
        private long left;
        private int at;

        RepeatedLine(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return LINE[at++ % LINE.length] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
                b[off + i] = LINE[at++ % LINE.length];
            }
            left -= n;
            return n;
        }
    }
}
