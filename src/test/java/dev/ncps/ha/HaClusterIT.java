package dev.ncps.ha;

import dev.ncps.testing.Fault;
import dev.ncps.testing.HaproxyServer;
import dev.ncps.testing.NginxServer;
import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.RedisClient;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three ncps JVMs behind HAProxy with Redis, PostgreSQL and S3 on loopback, fetching from a real nix-built
 * upstream with a big, throttled NAR: deduplication, owner crash, rolling restart and Redis outage.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaClusterIT {
    private static final int BIG_MIB = 16;
    private static final Pattern VALUE_PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)#");

    private final Closure closure = new Closure();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Cluster.Backends backends;
    private String bigHash;
    private List<String> smallHashes;

    @BeforeAll
    void startBackends() {
        NixUpstreamCache cache = NixUpstreamCache.of(new NixUpstreamCache.Spec("ha-big", NixUpstreamCache.Compression.ZSTD, BIG_MIB, 0));
        backends = new Cluster.Backends(RedisServer.start("ha"), PostgresServer.start(), S3Server.start("ha-unused"),
                new UpstreamServer(cache.cacheDir()), cache, TestDirs.newWorkDir("ha-cluster"));
        bigHash = cache.storePaths().stream().map(NixUpstreamCache::hashOf)
                .max(java.util.Comparator.comparingLong(h -> size(cache, h))).orElseThrow();
        smallHashes = cache.storePaths().stream().map(NixUpstreamCache::hashOf).filter(h -> !h.equals(bigHash)).toList();
    }

    @AfterAll
    void stopBackends() {
        for (AutoCloseable server : new AutoCloseable[] {backends.upstream(), backends.s3(), backends.postgres(), backends.redis()}) {
            try {
                server.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        TestDirs.deleteTree(backends.work());
    }

    @Test
    void hundredConcurrentRequestsForOneNarMakeOneUpstreamRequest() throws Exception {
        UpstreamServer upstream = backends.upstream();
        String upstreamNar = "/" + backends.upstreamCache().narUrl(bigHash);
        try (Cluster cluster = Cluster.start(backends, "dedup", 3, false, true);
             var throttle = new Throttle(upstream, upstreamNar, 4L << 20)) {
            List<URI> entries = cluster.entryPoints();
            upstream.resetCounts();

            List<Closure.NarRef> narInfos = concurrently(100, i -> closure.narInfo(entries.get(i % entries.size()), bigHash));
            assertThat(upstream.requests("/" + bigHash + ".narinfo")).as("upstream narinfo requests").isEqualTo(1);

            Closure.NarRef nar = narInfos.getFirst();
            assertThat(narInfos).allSatisfy(n -> assertThat(n).isEqualTo(nar));
            List<String> hashes = concurrently(100, i -> closure.narSha256(entries.get(i % entries.size()), nar));
            assertThat(hashes).as("sha256 of all 100 bodies").containsOnly(nar.fileHash());
            assertThat(upstream.requests(upstreamNar)).as("upstream NAR requests\n" + cluster.logs()).isEqualTo(1);

            String metrics = get(cluster.instances.getFirst().url().resolve("/metrics"));
            assertThat(metrics).contains("ncps_lock_acquisitions_total{", "result=\"success\"", "ncps_lock_retry_attempts_total",
                    "ncps_nar_served_total", "ncps_download_coordination_fallback_total{outcome=\"served_by_peer\"}");
            String logs = String.join("\n", cluster.instances.stream().map(i -> read(i.log())).toList());
            assertThat(logs).contains("acquired download lock download:nar:");
        }
    }

    @Test
    void killingTheOwnerOfADownloadMidwayLosesNoCopyAndStoresNothingCorrupt() throws Exception {
        UpstreamServer upstream = backends.upstream();
        NixUpstreamCache cache = backends.upstreamCache();
        String upstreamNar = "/" + cache.narUrl(bigHash);
        try (Cluster cluster = Cluster.start(backends, "crash", 3, false, true);
             var throttle = new Throttle(upstream, upstreamNar, 2L << 20);
             NixClient nix = new NixClient(TestDirs.newWorkDir("ha-nix"), Duration.ofMinutes(3), List.of("download-attempts = 5"));
             RedisClient redis = RedisClient.create("127.0.0.1", backends.redis().port())) {
            String publicKey = get(cluster.haproxy.url().resolve("/pubkey")).strip();
            Closure.NarRef nar = closure.narInfo(cluster.haproxy.url(), bigHash);
            upstream.resetCounts();

            CompletableFuture<NixClient.Copy> copy = CompletableFuture.supplyAsync(
                    () -> nix.copyClosure(cluster.haproxy.url(), publicKey, cache.closureRoot()));
            List<CompletableFuture<String>> direct = new ArrayList<>();
            for (NcpsProcess instance : cluster.instances) {
                for (int i = 0; i < 2; i++) {
                    direct.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return closure.narSha256(instance.url(), nar);
                        } catch (Exception e) {
                            return instance.port() + ": " + e;
                        }
                    }));
                }
            }
            String lockKey = cluster.keyPrefix + "download:nar:" + nar.path().substring("/nar/".length()).replaceFirst("\\.nar", "");
            String[] holder = new String[1];
            Processes.await("a download lock " + lockKey, Duration.ofSeconds(30),
                    () -> (holder[0] = redis.get(lockKey)) != null);
            Matcher port = VALUE_PORT.matcher(holder[0]);
            assertThat(port.find()).as("lock value " + holder[0]).isTrue();
            NcpsProcess owner = cluster.instanceOnPort(Integer.parseInt(port.group(1)));
            Thread.sleep(2_000); // a few MiB into the download: followers have relayed part of it
            owner.kill();

            NixClient.Copy copied = copy.get(3, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(copied.succeeded()).as("nix copy through HAProxy\n" + copied.result() + "\n" + cluster.logs()).isTrue();
            NixClient.Result verified = nix.verify(copied.store(), cache.closureRoot(), publicKey);
            assertThat(verified.succeeded()).as("nix store verify\n" + verified).isTrue();
            for (int i = 0; i < direct.size(); i++) {
                String result = direct.get(i).get(2, java.util.concurrent.TimeUnit.MINUTES);
                if (cluster.instances.get(i / 2) != owner) {
                    assertThat(result).as("client of a surviving instance").isEqualTo(nar.fileHash());
                }
            }
            assertThat(upstream.requests(upstreamNar)).as("the owner's request and the take-over's").isBetween(1, 2);
            assertEveryStoredNarMatchesItsName(cluster.bucket);
        }
    }

    @Test
    void aRollingRestartUnderLoadFailsNoRequest() throws Exception {
        try (Cluster cluster = Cluster.start(backends, "rolling", 3, false, true)) {
            URI lb = cluster.haproxy.url();
            List<String> warm = smallHashes.subList(0, smallHashes.size() - 1);
            for (String hash : warm) {
                Closure.NarRef nar = closure.narInfo(lb, hash);
                closure.narSha256(lb, nar);
            }
            // Misses too: the last path is first fetched while instances come and go.
            List<String> paths = new ArrayList<>(warm);
            paths.add(smallHashes.getLast());
            Load load = new Load(lb, paths, 4);
            try {
                Thread.sleep(1_000);
                for (NcpsProcess instance : cluster.instances) {
                    assertThat(instance.terminate(Duration.ofSeconds(30))).as("exit code after SIGTERM").isZero();
                    cluster.haproxy.awaitState(instance.url(), "DOWN", Duration.ofSeconds(10));
                    instance.start();
                    cluster.haproxy.awaitState(instance.url(), "UP", Duration.ofSeconds(20));
                    Thread.sleep(500);
                }
            } finally {
                load.close();
            }
            assertThat(load.failures()).as("failed requests during the rolling restart\n" + cluster.logs()).isEmpty();
            assertThat(load.succeeded()).as("successful narinfo+NAR rounds").isGreaterThan(50);
        }
    }

    @Test
    void aRedisOutageKeepsHitsServedAndMissesFollowDegradedMode() throws Exception {
        RedisServer redis = backends.redis();
        try (Cluster strict = Cluster.start(backends, "outage", 2, false, true);
             Cluster lenient = Cluster.start(backends, "outage-degraded", 1, true, false)) {
            URI lb = strict.haproxy.url();
            List<String> warm = smallHashes.subList(0, 2);
            for (String hash : warm) {
                closure.narSha256(lb, closure.narInfo(lb, hash));
            }
            Load load = new Load(lb, warm, 3);
            try {
                Thread.sleep(500);
                redis.stop();
                try {
                    URI strictInstance = strict.instances.getFirst().url();
                    long started = System.nanoTime();
                    assertThat(status(strictInstance.resolve("/" + smallHashes.get(2) + ".narinfo"))).as("miss without degraded mode").isEqualTo(503);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).as("time to refuse").isLessThan(Duration.ofSeconds(5));

                    URI lenientInstance = lenient.instances.getFirst().url();
                    Closure.NarRef nar = closure.narInfo(lenientInstance, smallHashes.get(3));
                    assertThat(closure.narSha256(lenientInstance, nar)).as("miss in degraded mode").isEqualTo(nar.fileHash());
                    assertThat(read(lenient.instances.getFirst().log())).contains("DEGRADED MODE");
                    Thread.sleep(1_000);
                } finally {
                    redis.start();
                }
                URI strictInstance = strict.instances.getFirst().url();
                String hash = smallHashes.get(2);
                Processes.await("the strict instance to serve misses again", Duration.ofSeconds(30), () -> {
                    try {
                        return status(strictInstance.resolve("/" + hash + ".narinfo")) == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Closure.NarRef nar = closure.narInfo(strictInstance, hash);
                assertThat(closure.narSha256(strictInstance, nar)).isEqualTo(nar.fileHash());
            } finally {
                load.close();
            }
            assertThat(load.failures()).as("hits through HAProxy during the Redis outage").isEmpty();
            assertThat(load.succeeded()).isGreaterThan(10);
        }
    }

    @Test
    void consistentHashingInNginxAndHaproxyServesEachPathWithOneUpstreamRequest() throws Exception {
        UpstreamServer upstream = backends.upstream();
        NixUpstreamCache cache = backends.upstreamCache();
        try (Cluster cluster = Cluster.start(backends, "hashing", 3, false, false);
             NginxServer nginx = NginxServer.start(1, port -> """
                     upstream ncps_backend {
                       hash $request_uri consistent;
                     %s
                     }
                     server {
                       listen 127.0.0.1:%d;
                       location / {
                         proxy_pass http://ncps_backend;
                         proxy_set_header Host $host;
                         proxy_set_header X-Real-IP $remote_addr;
                         proxy_next_upstream error timeout;
                         proxy_buffering off;
                         proxy_read_timeout 60s;
                       }
                     }
                     """.formatted(cluster.instances.stream().map(i -> "  server 127.0.0.1:" + i.port() + " max_fails=3 fail_timeout=30s;")
                     .collect(java.util.stream.Collectors.joining("\n")), port));
             HaproxyServer haproxy = HaproxyServer.start(cluster.instances.stream().map(NcpsProcess::url).toList(),
                     HaproxyServer.Balance.URI);
             NixClient nix = new NixClient(TestDirs.newWorkDir("ha-nix"), Duration.ofMinutes(3), List.of("download-attempts = 5"))) {
            upstream.resetCounts();
            String publicKey = get(nginx.url().resolve("/pubkey")).strip();
            NixClient.Copy copied = nix.copyClosure(nginx.url(), publicKey, cache.closureRoot());
            assertThat(copied.succeeded()).as("nix copy through nginx\n" + copied.result()).isTrue();
            closure.fetchAll(haproxy.url(), cache);
            int paths = cache.storePaths().size();
            assertThat(upstream.narRequests()).as("upstream NAR requests").isEqualTo(paths);
            assertThat(upstream.narInfoRequests()).as("upstream narinfo requests").isEqualTo(paths);
        }
    }

    /** Objects are named by the sha256 of their bytes (FileHash), so a corrupt object shows as a mismatch. */
    private void assertEveryStoredNarMatchesItsName(String bucket) throws Exception {
        try (S3Client s3 = backends.s3().client()) {
            List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().toList();
            List<S3Object> nars = objects.stream().filter(o -> o.key().startsWith("store/nar/")).toList();
            assertThat(nars).as("NAR objects in " + bucket).hasSize(backends.upstreamCache().storePaths().size());
            for (S3Object object : nars) {
                String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                try (InputStream body = s3.getObject(b -> b.bucket(bucket).key(object.key()), ResponseTransformer.toInputStream())) {
                    assertThat(Closure.sha256(body)).as(object.key()).isEqualTo(name.substring(0, name.indexOf('.')));
                }
            }
        }
    }

    /** Throttles a path for the life of a try block. */
    private record Throttle(UpstreamServer.Rule rule) implements AutoCloseable {
        Throttle(UpstreamServer upstream, String path, long bytesPerSecond) {
            this(upstream.inject(UpstreamServer.exactly(path), Fault.throttle(bytesPerSecond)));
        }

        @Override
        public void close() {
            rule.remove();
        }
    }

    private interface Call<T> {
        T call(int i) throws Exception;
    }

    /** Runs {@code n} calls at once (released together) and returns their results; any failure fails. */
    private static <T> List<T> concurrently(int n, Call<T> call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call(index);
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + uri + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    private int status(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static long size(NixUpstreamCache cache, String hash) {
        try {
            return Files.size(cache.narFile(hash));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(java.nio.file.Path file) {
        try {
            return Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
