package dev.ncps.cache;

import dev.ncps.cache.Cache.Mode;
import dev.ncps.cache.Cache.NarStreaming;
import dev.ncps.cache.MemoryUpstream.Body;
import dev.ncps.index.Index;
import dev.ncps.index.TestIndexConfigs;
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

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On S3 the upload of a download runs while the download does (real S3Proxy): parts go up from the temp file before
 * the last byte arrived, yet the object appears only once the content is verified, and a NAR that fails verification
 * leaves nothing in the bucket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OverlappedUploadTest {
    /** Three parts of the S3 store's 8 MiB and a bit. */
    private static final int CONTENT_SIZE = 3 * 8 * 1024 * 1024 + 4096;

    @TempDir
    Path dir;
    private final MemoryUpstream upstream = new MemoryUpstream();
    private final TestNar nar = TestNar.of("big-1.0", CONTENT_SIZE);
    private S3Server s3;
    private Store store;
    private Index index;
    private ExecutorService executor;
    private Cache cache;

    @BeforeEach
    void open() throws Exception {
        s3 = S3Server.start("overlap");
        store = new S3Store(new S3Config(s3.endpoint(), s3.region(), s3.bucket(), s3.accessKey(),
                s3.secretKey(), true, S3Config.ChecksumMode.WHEN_REQUIRED));
        index = Index.open(TestIndexConfigs.sqlite(dir.resolve("index.db")));
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

        waitFor(() -> partBytesUploaded() >= 2L * 8 * 1024 * 1024);
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
        waitFor(() -> partBytesUploaded() >= 8L * 1024 * 1024);

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

    /** Bytes in the parts of the unfinished multipart uploads of the bucket, as S3 lists them. */
    private long partBytesUploaded() {
        try (var client = s3.client()) {
            return client.listMultipartUploads(l -> l.bucket(s3.bucket())).uploads().stream()
                    .mapToLong(upload -> client.listParts(l -> l.bucket(s3.bucket()).key(upload.key())
                            .uploadId(upload.uploadId())).parts().stream().mapToLong(part -> part.size()).sum())
                    .sum();
        }
    }
}
