package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.IndexException;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.StorePath;
import dev.ncps.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** migrate-db between two SQLite files: the copy, the refusal of a non-empty target, and resuming. */
class MigrateDbTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Index sqlite(Path file) throws IndexException {
        return Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null, 2, 1, true));
    }

    /** Narinfos with and without their NAR, uploads and upstream ones, a config entry: what a cache holds. */
    static void fill(Index index, Path storage, int paths) throws Exception {
        try (LocalStore store = new LocalStore(storage)) {
            TestCache cache = new TestCache(index, store);
            for (int i = 0; i < paths; i++) {
                TestCache.Path path = i % 3 == 0 ? cache.cached("path-" + i, Compression.ZSTD) : TestCache.path("path-" + i, Compression.XZ);
                if (i % 3 == 1) cache.putNarInfo(path, "https://cache.example/" + path.narInfo().url());
                if (i % 3 == 2) {
                    cache.putRow(path);
                    cache.putNarInfo(path, null);
                }
            }
        }
        index.configPut("secret_key", "cache.example.com-1:secret");
        index.putBuildTrace(new BuildTrace(StorePath.parseBaseName("0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a-producer.drv"), "out",
                StorePath.parseBaseName("1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b-produced"), List.of("k:" + "A".repeat(86) + "==")));
        String someHash = index.narInfos(null, 1).getFirst().hash();
        index.putSideObject(someHash, "store/ls/x/xy/" + someHash + ".ls", 123);
    }

    MigrateDb migrateDb(Index source, Index target, int batch, boolean resume) {
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new MigrateDb(source, target, new MigrateDb.Settings(batch, resume), stream, stream, false, Clock.systemUTC());
    }

    @Test
    void theCopyHoldsExactlyWhatTheSourceHolds() throws Exception {
        try (Index source = sqlite(dir.resolve("from.sqlite")); Index target = sqlite(dir.resolve("to.sqlite"))) {
            fill(source, dir.resolve("storage"), 25);

            assertThat(migrateDb(source, target, 7, false).run()).isZero();

            MigrateDb check = migrateDb(source, target, 7, false);
            assertThat(check.summary(target)).isEqualTo(check.summary(source));
            assertThat(target.stats()).isEqualTo(source.stats());
            assertThat(target.narInfosWithoutNar()).isEqualTo(source.narInfosWithoutNar());
            assertThat(target.config("secret_key")).contains("cache.example.com-1:secret");
            assertThat(target.buildTraces()).isEqualTo(source.buildTraces()).hasSize(1);
            assertThat(target.sideObjects()).isEqualTo(source.sideObjects()).hasSize(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("result: copied and verified");
        }
    }

    @Test
    void aNonEmptyTargetIsRefusedAndAnInterruptedCopyIsResumed() throws Exception {
        try (Index source = sqlite(dir.resolve("from.sqlite")); Index target = sqlite(dir.resolve("to.sqlite"))) {
            fill(source, dir.resolve("storage"), 30);
            Index failing = failingAfter(target, 3);

            assertThatThrownBy(() -> migrateDb(source, failing, 4, false).run()).hasMessageContaining("connection lost");
            long copied = target.stats().narInfoCount();
            assertThat(copied).isPositive().isLessThan(30);

            out.reset();
            assertThat(migrateDb(source, target, 4, false).run()).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("the target already holds " + copied + " narinfos",
                    "--resume to continue an interrupted copy");
            assertThat(target.stats().narInfoCount()).isEqualTo(copied);

            out.reset();
            assertThat(migrateDb(source, target, 4, true).run()).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("(" + copied + " already there)", "result: copied and verified");
        }
    }

    @Test
    void aCopyThatDiffersIsReportedAndExitsOne() throws Exception {
        try (Index source = sqlite(dir.resolve("from.sqlite")); Index target = sqlite(dir.resolve("to.sqlite"))) {
            fill(source, dir.resolve("storage"), 6);
            target.configPut("cluster_uuid", "only-in-the-target");

            assertThat(migrateDb(source, target, 100, true).run()).isEqualTo(1);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("result: the target differs from the source");
        }
    }

    /** The target as a dying connection sees it: the third narinfo batch fails, the earlier ones stay. */
    private static Index failingAfter(Index target, int narInfoBatches) {
        AtomicInteger batches = new AtomicInteger();
        return (Index) Proxy.newProxyInstance(Index.class.getClassLoader(), new Class<?>[] {Index.class}, (proxy, method, args) -> {
            if (method.getName().equals("putAll") && !((java.util.List<?>) args[1]).isEmpty()
                    && batches.incrementAndGet() == narInfoBatches) {
                throw new IndexException("connection lost", null);
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
