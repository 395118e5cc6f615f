package dev.ncps.cache;

import dev.ncps.cache.Cache.Mode;
import dev.ncps.cache.Cache.NarStreaming;
import dev.ncps.cache.MemoryUpstream.Body;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.S3Config;
import dev.ncps.store.S3Store;
import dev.ncps.store.Store;
import dev.ncps.testing.S3Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On S3 the upload of a download runs while the download does (real S3Proxy): parts go up before the last byte
 * arrived, yet the object appears only once the content is verified, and a NAR that fails verification leaves
 * nothing in the bucket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OverlappedUploadTest {
    /** Three parts of the S3 store's 8 MiB and a bit. */
    private static final int CONTENT_SIZE = 3 * 8 * 1024 * 1024 + 4096;

    @TempDir
    Path dir;
    private final MemoryUpstream upstream = new MemoryUpstream();
    private final TestNar nar = TestNar.of("big-1.0", CONTENT_SIZE);
    private final AtomicLong uploaded = new AtomicLong();
    private S3Server s3;
    private Store store;
    private Index index;
    private ExecutorService executor;
    private Cache cache;

    @BeforeEach
    void open() throws Exception {
        s3 = S3Server.start("overlap");
        store = new CountingStore(new S3Store(new S3Config(s3.endpoint(), s3.region(), s3.bucket(), s3.accessKey(),
                s3.secretKey(), true, S3Config.ChecksumMode.WHEN_REQUIRED)), uploaded::addAndGet);
        index = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("index.db"), null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true));
        executor = Executors.newVirtualThreadPerTaskExecutor();
        cache = new Cache(upstream, store, index, new Signer(SecretKey.generate("overlap-test-1"), true),
                new CacheSettings(Files.createDirectories(dir.resolve("downloads")), 1 << 20, Duration.ofMinutes(1),
                        Duration.ofMinutes(5), 32 * 1024), Clock.systemUTC(), executor, CacheListener.NONE, new ScriptedCoordinator());
        upstream.publish(nar);
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        index.close();
        store.close();
        s3.close();
    }

    @Test
    void partsGoUpDuringTheDownloadAndTheObjectAppearsOnlyAfterTheVerdict() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        upstream.serve(nar.upstreamUri(), Body.of(nar.bytes()).heldBeforeEnd(end));
        cache.narInfo(nar.hash(), false);
        InputStream body = ((NarStreaming) cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).body();
        Future<byte[]> client = executor.submit(body::readAllBytes);

        waitFor(() -> uploaded.get() >= 2L * 8 * 1024 * 1024);
        assertThat(store.exists(nar.key().storeKey())).as("visible before the last byte").isFalse();

        end.countDown();
        assertThat(client.get()).isEqualTo(nar.bytes());
        assertThat(store.exists(nar.key().storeKey())).isTrue();
        try (InputStream stored = store.get(nar.key().storeKey()).orElseThrow().open(0)) {
            assertThat(stored.readAllBytes()).isEqualTo(nar.bytes());
        }
        assertThat(index.narFile(nar.key().narHash(), nar.key().compression())).isPresent();
    }

    @Test
    void aNarThatFailsVerificationLeavesNothingInTheBucket() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        upstream.serve(nar.upstreamUri(), Body.of(nar.corrupted()).heldBeforeEnd(end));
        cache.narInfo(nar.hash(), false);
        InputStream body = ((NarStreaming) cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).body();
        Future<byte[]> client = executor.submit(body::readAllBytes);
        waitFor(() -> uploaded.get() >= 8L * 1024 * 1024);

        end.countDown();
        assertThatThrownBy(client::get).hasCauseInstanceOf(IOException.class);
        assertThat(store.exists(nar.key().storeKey())).isFalse();
        assertThat(index.narFile(nar.key().narHash(), nar.key().compression())).isEmpty();
        try (var client2 = s3.client()) {
            waitFor(() -> client2.listMultipartUploads(l -> l.bucket(s3.bucket())).uploads().isEmpty());
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The real S3 store, counting the bytes its streamed puts read. */
    private record CountingStore(Store delegate, Consumer<Long> counted) implements Store {
        @Override public Optional<Blob> get(String key) throws IOException { return delegate.get(key); }
        @Override public Optional<Blob> read(String key) throws IOException { return delegate.read(key); }
        @Override public boolean exists(String key) throws IOException { return delegate.exists(key); }
        @Override public boolean put(String key, Path source) throws IOException { return delegate.put(key, source); }
        @Override public boolean overlapsUploads() { return delegate.overlapsUploads(); }
        @Override public Optional<Instant> lastModified(String key) throws IOException { return delegate.lastModified(key); }
        @Override public boolean delete(String key) throws IOException { return delegate.delete(key); }
        @Override public void walk(String prefix, Consumer<ObjectInfo> visitor) throws IOException { delegate.walk(prefix, visitor); }
        @Override public void close() throws IOException { delegate.close(); }

        @Override
        public boolean put(String key, InputStream content) throws IOException {
            return delegate.put(key, new FilterInputStream(content) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        counted.accept((long) n);
                    }
                    return n;
                }
            });
        }
    }
}
