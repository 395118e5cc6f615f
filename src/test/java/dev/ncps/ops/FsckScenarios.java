package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.index.Index;
import dev.ncps.lock.LocalLocks;
import dev.ncps.lock.LockListener;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.Locks;
import dev.ncps.cluster.ClusterCoordinator;
import dev.ncps.nix.Compression;
import dev.ncps.ops.Fsck.Kind;
import dev.ncps.ops.Fsck.Outcome;
import dev.ncps.ops.Fsck.Report;
import dev.ncps.store.Store;
import dev.ncps.store.S3Config;
import dev.ncps.store.S3Store;
import dev.ncps.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of damage fsck knows, made on purpose on a real database and storage: the report names it,
 * --repair fixes it, and a second run finds nothing. Subclasses choose the backends.
 */
abstract class FsckScenarios {
    Index index;
    Store store;
    Locks locks;
    TestCache cache;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    abstract Index openIndex() throws Exception;

    abstract Store openStore() throws Exception;

    /** A raw connection to the index's database, to break what the Index API keeps consistent. */
    abstract Connection sql() throws Exception;

    /** A store on a new, empty bucket of {@code s3}, so each test starts from clean storage. */
    static Store newBucket(S3Server s3, String bucket) throws java.io.IOException {
        try (var client = s3.client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return new S3Store(new S3Config(s3.endpoint(), s3.region(), bucket, s3.accessKey(), s3.secretKey(), true,
                S3Config.ChecksumMode.WHEN_REQUIRED));
    }

    @BeforeEach
    void open() throws Exception {
        index = openIndex();
        store = openStore();
        locks = new LocalLocks(LockSettings.DEFAULTS, LockListener.NONE);
        cache = new TestCache(index, store);
    }

    @AfterEach
    void close() throws Exception {
        locks.close();
        store.close();
        index.close();
    }

    Report fsck(boolean repair, boolean verifyContent, Duration grace) throws Exception {
        out.reset();
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new Fsck(index, store, locks, Clock.systemUTC(),
                new Fsck.Settings(repair, verifyContent, Duration.ZERO, grace, 2), stream, stream, false).run();
    }

    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyKindOfDamageIsReportedThenRepairedThenGone() throws Exception {
        TestCache.Path healthy = cache.cached("healthy", Compression.ZSTD);
        TestCache.Path missing = cache.cached("missing-object", Compression.NONE);
        store.delete(missing.objectKey());
        TestCache.Path resized = cache.cached("wrong-size", Compression.ZSTD);
        cache.replaceObject(resized, Arrays.copyOf(resized.bytes(), resized.bytes().length - 7));
        TestCache.Path rotten = cache.cached("rotten", Compression.NONE);
        byte[] flipped = rotten.bytes().clone();
        flipped[100] ^= 1;
        cache.replaceObject(rotten, flipped);
        TestCache.Path rottenCompressed = cache.cached("rotten-zstd", Compression.ZSTD);
        byte[] flippedCompressed = rottenCompressed.bytes().clone();
        flippedCompressed[flippedCompressed.length / 2] ^= 0x55;
        cache.replaceObject(rottenCompressed, flippedCompressed);
        // a crash between the object and its row: the narinfo names it, the row never came
        TestCache.Path adoptable = TestCache.path("crashed-before-row", Compression.ZSTD);
        cache.putObject(adoptable);
        cache.putNarInfo(adoptable, "https://upstream.example/" + adoptable.narInfo().url());
        // an object nothing knows, and one that is not even named like a NAR
        TestCache.Path stray = TestCache.path("stray", Compression.XZ);
        cache.putObject(stray);
        store.put("store/nar/z/zz/left-by-another-tool.part", new ByteArrayInputStream(new byte[] {1, 2, 3}));
        // an upload whose NAR is gone: nothing can serve it
        TestCache.Path uploaded = TestCache.path("uploaded", Compression.NONE);
        cache.putNarInfo(uploaded, null);
        // the NAR is stored but the link that lets LRU count it is missing
        TestCache.Path unlinked = cache.cached("unlinked", Compression.NONE);
        try (Connection c = sql(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM narinfo_nar_files WHERE narinfo_id = (SELECT id FROM narinfos WHERE hash = ?)")) {
            s.setString(1, unlinked.hash());
            assertThat(s.executeUpdate()).isEqualTo(1);
        }

        Report found = fsck(false, true, Duration.ZERO);
        assertThat(found.clean()).isFalse();
        assertThat(found.count(Kind.MISSING_OBJECT)).isEqualTo(1);
        assertThat(found.count(Kind.WRONG_SIZE)).isEqualTo(1);
        assertThat(found.count(Kind.CONTENT_MISMATCH)).isEqualTo(2);
        assertThat(found.count(Kind.ORPHAN_ADOPTED)).isEqualTo(1);
        assertThat(found.count(Kind.ORPHAN)).isEqualTo(2);
        assertThat(found.count(Kind.NARINFO_WITHOUT_NAR)).isEqualTo(1);
        assertThat(found.count(Kind.NARINFO_UNLINKED)).isEqualTo(1);
        assertThat(found.findings()).allMatch(f -> f.outcome() == Outcome.FOUND);
        assertThat(output()).contains("index row whose object is missing: " + missing.objectKey(),
                "object whose size differs from its index row: " + resized.objectKey(),
                "object whose bytes do not match its narinfo: " + rotten.objectKey() + " (FileHash ",
                "object whose bytes do not match its narinfo: " + rottenCompressed.objectKey(),
                "object no row refers to, named by a narinfo: " + adoptable.objectKey(),
                "object no row or narinfo refers to: " + stray.objectKey(),
                "store/nar/z/zz/left-by-another-tool.part",
                "narinfo whose NAR is neither stored nor fetchable from an upstream: " + uploaded.hash(),
                "narinfo not linked to its stored NAR: " + unlinked.hash(),
                "result: 9 problems found, 9 not repaired (run with --repair to fix them)");
        assertThat(fsck(false, true, Duration.ZERO).findings()).as("a report changes nothing").hasSize(9);

        Report repaired = fsck(true, true, Duration.ZERO);
        assertThat(repaired.findings()).hasSize(9).allMatch(f -> f.outcome() == Outcome.REPAIRED);
        assertThat(repaired.clean()).isTrue();
        assertThat(output()).contains("result: 9 problems found, all repaired");

        assertThat(index.narFile(missing.narFile().narHash(), Compression.NONE)).isEmpty();
        assertThat(index.narInfo(missing.hash())).as("fetchable again from its upstream").isPresent();
        for (TestCache.Path removed : new TestCache.Path[] {resized, rotten, rottenCompressed}) {
            assertThat(index.narFile(removed.narFile().narHash(), removed.narFile().compression())).isEmpty();
            assertThat(store.exists(removed.objectKey())).isFalse();
        }
        assertThat(index.narFile(adoptable.narFile().narHash(), Compression.ZSTD))
                .hasValueSatisfying(row -> assertThat(row.fileSize()).isEqualTo(adoptable.bytes().length));
        assertThat(store.exists(stray.objectKey())).isFalse();
        assertThat(store.exists("store/nar/z/zz/left-by-another-tool.part")).isFalse();
        assertThat(index.narInfo(uploaded.hash())).isEmpty();
        assertThat(index.narInfosWithoutNar()).isEmpty();
        assertThat(store.exists(healthy.objectKey())).isTrue();
        assertThat(index.narFile(healthy.narFile().narHash(), Compression.ZSTD)).isPresent();

        Report again = fsck(true, true, Duration.ZERO);
        assertThat(again.findings()).isEmpty();
        assertThat(output()).contains("result: clean");
    }

    @Test
    void adoptedObjectsAreCountedAndEvictedByLru() throws Exception {
        TestCache.Path adoptable = TestCache.path("adopt-then-evict", Compression.ZSTD);
        cache.putObject(adoptable);
        cache.putNarInfo(adoptable, "https://upstream.example/" + adoptable.narInfo().url());
        long before = index.stats().totalBytes();

        fsck(true, false, Duration.ZERO);

        assertThat(index.stats().totalBytes()).isEqualTo(before + adoptable.bytes().length);
        assertThat(index.evict(0, hash -> false).narFiles()).extracting(e -> e.key()).containsExactly(adoptable.narFile());
    }

    @Test
    void anObjectWhoseDownloadLockIsHeldIsLeftAloneUntilTheDownloadIsDone() throws Exception {
        TestCache.Path stray = TestCache.path("being-downloaded", Compression.XZ);
        cache.putObject(stray);
        Optional<Locks.Lease> download = locks.tryAcquire(ClusterCoordinator.lockKey(stray.narFile()), Duration.ofMinutes(1),
                "http://serve-1:8501#boot");
        assertThat(download).isPresent();

        Report busy = fsck(true, false, Duration.ZERO);
        assertThat(busy.findings()).singleElement().satisfies(f -> assertThat(f.outcome()).isEqualTo(Outcome.BUSY));
        assertThat(busy.clean()).isFalse();
        assertThat(store.exists(stray.objectKey())).isTrue();
        assertThat(output()).contains("skipped: a download holds it, run fsck again later");

        download.get().close();
        assertThat(fsck(true, false, Duration.ZERO).clean()).isTrue();
        assertThat(store.exists(stray.objectKey())).isFalse();
    }

    @Test
    void unindexedObjectsYoungerThanTheGracePeriodAreLeftAlone() throws Exception {
        TestCache.Path fresh = TestCache.path("row-on-its-way", Compression.XZ);
        cache.putObject(fresh);

        Report report = fsck(true, false, Duration.ofHours(1));

        assertThat(report.findings()).isEmpty();
        assertThat(report.leftAloneRecent()).isEqualTo(1);
        assertThat(store.exists(fresh.objectKey())).isTrue();
        assertThat(output()).contains("left alone: 1 unindexed objects younger than 1h");
    }
}
