package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.testing.Fault;
import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM is bounded by {@code --server-drain-timeout} whatever upstreams do: with an upstream that drips a NAR
 * for minutes, the real ncps jar (set up for a cluster: Redis download locks, PostgreSQL, S3) exits 0 within the drain timeout plus a few seconds,
 * the client that was receiving the NAR sees a broken transfer (never a complete wrong body), and neither a temp
 * file nor a download lock is left behind.
 */
@Tag("slow")
@Tag("security")
class ShutdownIT {
    private static final Duration DRAIN = Duration.ofSeconds(2);
    /** What shutdown may take beyond the drain timeout: aborting downloads, closing pools, the JVM's exit. */
    private static final Duration SLACK = Duration.ofSeconds(5);
    /** The 1 MiB NAR takes about two minutes at this rate. */
    private static final long DRIP_BYTES_PER_SECOND = 8 * 1024;
    private static final Pattern URL_LINE = Pattern.compile("(?m)^URL: (\\S+)$");

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path dataDir;
    private UpstreamServer upstream;
    private RedisServer redis;
    private PostgresServer postgres;
    private S3Server s3;
    private NcpsProcess ncps;

    @BeforeEach
    void start() {
        dataDir = TestDirs.newWorkDir("ncps-shutdown");
        upstream = new UpstreamServer(cache.cacheDir());
        redis = RedisServer.start("shutdown");
        postgres = PostgresServer.start();
        s3 = S3Server.start("ncps-shutdown");
        String database = postgres.createDatabase().url();
        ncps = NcpsProcess.start("ncps-shutdown", port -> List.of("serve",
                "--server-addr", "127.0.0.1:" + port,
                "--server-drain-timeout", DRAIN.toSeconds() + "s",
                "--cache-hostname", "test.local",
                "--cache-database-url", database,
                "--cache-storage-s3-bucket", s3.bucket(),
                "--cache-storage-s3-endpoint", s3.endpoint().toString(),
                "--cache-storage-s3-region", s3.region(),
                "--cache-storage-s3-access-key-id", s3.accessKey(),
                "--cache-storage-s3-secret-access-key", s3.secretKey(),
                "--cache-storage-s3-force-path-style", "true",
                "--cache-temp-path", tempPath().toString(),
                "--cache-upstream-url", upstream.url().toString(),
                "--cache-upstream-public-key", cache.publicKey(),
                "--cache-redis-addrs", redis.host() + ":" + redis.port()), Map.of("HOME", dataDir.toString()));
    }

    @AfterEach
    void stop() {
        ncps.close();
        s3.close();
        postgres.close();
        redis.close();
        upstream.close();
        http.close();
        TestDirs.deleteTree(dataDir);
    }

    @Test
    void sigtermEndsADownloadThatAnUpstreamDripsWithinTheDrainTimeout() throws Exception {
        String hash = biggestNar();
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)), Fault.throttle(DRIP_BYTES_PER_SECOND));
        String narInfo = get("/" + hash + ".narinfo");
        Matcher url = URL_LINE.matcher(narInfo);
        assertThat(url.find()).as("narinfo from ncps:\n%s", narInfo).isTrue();

        AtomicLong received = new AtomicLong();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(ncps.url().resolve("/" + url.group(1))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        CompletableFuture<Long> transfer = CompletableFuture.supplyAsync(() -> readAll(response.body(), received));
        Processes.await("the first bytes of the dripping NAR", Duration.ofSeconds(20), () -> received.get() > 0);
        assertThat(redisKeys()).as("Redis keys while downloading").anyMatch(key -> key.contains("download:nar:"));

        long before = System.nanoTime();
        int exitCode = ncps.terminate(Duration.ofSeconds(60));
        Duration took = Duration.ofNanos(System.nanoTime() - before);

        assertThat(exitCode).as("exit code after SIGTERM; log:\n%s", ncps.logTail(30)).isZero();
        assertThat(took).as("time from SIGTERM to exit; log:\n%s", ncps.logTail(30)).isLessThan(DRAIN.plus(SLACK));
        assertThat(transfer).as("the client's transfer must break, not end as if complete")
                .failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingRootCause().isInstanceOf(IOException.class);
        assertThat(received.get()).isLessThan(announced);
        assertThat(leftFiles()).as("files left under the temp path").isEmpty();
        assertThat(redisKeys()).as("Redis keys after the exit").noneMatch(key -> key.contains("download:"));
    }

    private java.util.Set<String> redisKeys() {
        try (redis.clients.jedis.Jedis jedis = new redis.clients.jedis.Jedis(redis.host(), redis.port())) {
            return jedis.keys("*");
        }
    }

    @Test
    void aKilledInstancesPartialDownloadIsRemovedWhenItStartsAgain() throws Exception {
        String hash = biggestNar();
        upstream.inject(UpstreamServer.exactly("/" + cache.narUrl(hash)), Fault.throttle(DRIP_BYTES_PER_SECOND));
        Matcher url = URL_LINE.matcher(get("/" + hash + ".narinfo"));
        assertThat(url.find()).isTrue();
        CompletableFuture<HttpResponse<Void>> client = http.sendAsync(
                HttpRequest.newBuilder(ncps.url().resolve("/" + url.group(1))).build(), HttpResponse.BodyHandlers.discarding());
        Processes.await("a partial NAR in the temp path", Duration.ofSeconds(20), () -> partialNars().size() == 1);
        List<Path> partial = partialNars();

        ncps.kill();
        client.handle((response, failure) -> null).get();
        assertThat(partial.getFirst()).as("the partial NAR of the killed instance").exists();
        ncps.start();

        assertThat(partial.getFirst()).as("the partial NAR of the killed instance after the restart").doesNotExist();
        assertThat(partialNars()).isEmpty();
    }

    private List<Path> partialNars() {
        try {
            return leftFiles().stream().filter(f -> f.getFileName().toString().contains(".nar")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path tempPath() {
        return dataDir.resolve("tmp");
    }

    private String biggestNar() {
        return cache.storePaths().stream().map(NixUpstreamCache::hashOf)
                .max(Comparator.comparingLong(hash -> size(cache.narFile(hash)))).orElseThrow();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(ncps.url().resolve(path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private static long readAll(InputStream body, AtomicLong received) {
        byte[] buffer = new byte[8192];
        try (body) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                received.addAndGet(n);
            }
            return received.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<Path> leftFiles() throws IOException {
        if (!Files.isDirectory(tempPath())) {
            return List.of();
        }
        try (var walk = Files.walk(tempPath())) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
