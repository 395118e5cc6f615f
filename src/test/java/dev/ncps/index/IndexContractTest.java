package dev.ncps.index;

import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.nix.StorePath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@link Index} contract, run against every engine by the subclasses. */
abstract class IndexContractTest {
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456Z");

    Index index;
    IndexConfig config;

    /** A migrated-or-not, empty database of the engine under test, with its own name. */
    abstract IndexConfig freshDatabase() throws Exception;

    @BeforeEach
    void open() throws Exception {
        config = freshDatabase();
        index = Index.open(config, Clock.fixed(T0, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        if (index != null) index.close();
    }

    static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    NarInfoEntry putSynthetic(int n, long narFileSize, Instant accessed) throws Exception {
        String narFile = TestNarInfos.narFileHash(n);
        index.putNarFile(new NarFileEntry(new NarFileKey(narFile, Compression.XZ), narFileSize, accessed));
        NarInfo info = TestNarInfos.synthetic(n, narFile);
        NarInfoEntry entry = new NarInfoEntry(info.storePath().hashPart(), info, "https://cache.example/" + info.url(), accessed);
        index.putNarInfo(entry);
        return entry;
    }

    /** The first real narinfo fixture, stored with no upstream URL. */
    NarInfo putFirstFixture() throws Exception {
        NarInfo info = TestNarInfos.fixtures().getFirst();
        index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), info, null, T0));
        return info;
    }

    /** The hash of a synthetic narinfo that is never stored. */
    static String absentHash(int n) {
        return TestNarInfos.synthetic(n, TestNarInfos.narFileHash(0)).storePath().hashPart();
    }

    @Test
    void aDatabaseThatTakesWritesReportsNoProblemAndItsProbeWritesAConfigRow() throws Exception {
        assertThat(index.problem()).isEmpty();
        Thread.sleep(WriteHealth.STALE.toMillis() + 100);

        assertThat(index.problem()).as("answered from the last write, while a probe starts").isEmpty();
        dev.ncps.testing.Processes.await("the probe write", java.time.Duration.ofSeconds(10), () -> {
            try {
                return index.config(JdbcIndex.PROBE_KEY).isPresent();
            } catch (IndexException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(index.problem()).isEmpty();
    }

    @Test
    void rowsWrittenBeforeTheNarInfoTextColumnAreAssembledFromTheirParts() throws Exception {
        List<NarInfoEntry> written = writtenBeforeTheTextColumn();

        for (NarInfoEntry entry : written) {
            assertThat(index.narInfo(entry.hash())).contains(entry);
            assertThat(index.narInfoText(entry.hash())).contains(entry.narInfo().serialize());
        }
    }

    /** The fixtures, written and then stripped of their narinfo text as rows of older versions are. */
    private List<NarInfoEntry> writtenBeforeTheTextColumn() throws Exception {
        List<NarInfoEntry> written = new ArrayList<>();
        for (NarInfo info : TestNarInfos.fixtures()) {
            NarInfoEntry entry = new NarInfoEntry(info.storePath().hashPart(), info, "https://cache.nixos.org/" + info.url(), T0);
            index.putNarInfo(entry);
            written.add(entry);
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE narinfos SET narinfo_text = NULL")).isEqualTo(written.size());
        }
        return written;
    }

    @Test
    void theServedTextIsTheSerializedNarInfoAndAbsentRowsHaveNone() throws Exception {
        for (NarInfo info : TestNarInfos.fixtures()) {
            index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), info, null, T0));
            assertThat(index.narInfoText(info.storePath().hashPart())).contains(info.serialize());
        }
        assertThat(index.narInfoText("0".repeat(32))).isEmpty();
    }

    @Test
    void aHitReadAnswersTheStoredTextAndLeavesEverythingElseToTheOrdinaryRead() throws Exception {
        NarInfo info = putFirstFixture();
        String hash = info.storePath().hashPart();

        assertThat(HitReadAnswers.awaited(index, hash)).contains(info.serialize());
        assertThat(HitReadAnswers.awaited(index, "0".repeat(32))).as("no such row").isEmpty();

        List<NarInfoEntry> older = writtenBeforeTheTextColumn();
        assertThat(HitReadAnswers.awaited(index, older.getFirst().hash())).as("a row without text").isEmpty();
    }

    /** Asks made while a read runs share the next statement on a server database; each must get its own row's text. */
    @Test
    void manyHitReadsAtOnceEachGetTheirOwnRow() throws Exception {
        Map<String, String> texts = new HashMap<>();
        for (int n = 0; n < 40; n++) {
            NarInfoEntry entry = putSynthetic(n, 100, T0);
            texts.put(entry.hash(), entry.narInfo().serialize());
        }
        List<String> asked = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            asked.addAll(texts.keySet());
            for (int n = 0; n < 7; n++) asked.add(absentHash(1000 + n));
        }
        java.util.Collections.shuffle(asked, new java.util.Random(7));

        List<HitReadAnswers> answers = new ArrayList<>();
        for (String hash : asked) answers.add(HitReadAnswers.ask(index, hash));
        for (int i = 0; i < asked.size(); i++) {
            assertThat(answers.get(i).awaited()).as("answer %d, for %s", i, asked.get(i))
                    .isEqualTo(java.util.Optional.ofNullable(texts.get(asked.get(i))));
        }
    }

    /** Every size of statement a batch can need, padded or not, with hashes that have no row among them. */
    @Test
    void oneStatementReadsAnyNumberOfHashesUpToABatch() throws Exception {
        Map<String, String> texts = new HashMap<>();
        List<String> hashes = new ArrayList<>();
        for (int n = 0; n < BatchedReads.MAX_BATCH; n++) {
            if (n % 5 == 4) {
                hashes.add(absentHash(1000 + n));
                continue;
            }
            NarInfoEntry entry = putSynthetic(n, 100, T0);
            texts.put(entry.hash(), entry.narInfo().serialize());
            hashes.add(entry.hash());
        }
        for (int size : new int[] {1, 2, 3, 5, 31, 33, BatchedReads.MAX_BATCH}) {
            List<String> some = hashes.subList(0, size);
            Map<String, String> expected = new HashMap<>(texts);
            expected.keySet().retainAll(some);
            assertThat(((JdbcIndex) index).narInfoTexts(some)).as("%d hashes", size).isEqualTo(expected);
        }
    }

    @Test
    void aFailedHitReadAnswersEmptyAndTheNextReadWorks() throws Exception {
        NarInfo info = putFirstFixture();
        String hash = info.storePath().hashPart();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER TABLE narinfos RENAME TO narinfos_away");
            try {
                assertThat(HitReadAnswers.awaited(index, hash)).as("the table is away").isEmpty();
            } finally {
                s.execute("ALTER TABLE narinfos_away RENAME TO narinfos");
            }
        }
        assertThat(HitReadAnswers.awaited(index, hash)).contains(info.serialize());
    }

    @Test
    void aClosedIndexAnswersHitReadsEmptyAtOnce() {
        index.close();
        HitReadAnswers answer = HitReadAnswers.ask(index, "0".repeat(32));
        assertThat(answer.answeredBeforeReturning()).isTrue();
        assertThat(answer.awaited()).isEmpty();
        index = null;
    }

    /** The totals counted from the rows, as {@code stats()} answered before the totals were kept. */
    Index.Stats recount() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rows = s.executeQuery("SELECT (SELECT COUNT(*) FROM narinfos), (SELECT COUNT(*) FROM nar_files), "
                     + "(SELECT COALESCE(SUM(file_size), 0) FROM nar_files)")) {
            rows.next();
            return new Index.Stats(rows.getLong(1), rows.getLong(2), rows.getLong(3));
        }
    }

    /** The kept bytes of side objects and their sum over the rows. */
    List<Long> sideObjectBytesKeptAndSummed() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rows = s.executeQuery("SELECT (SELECT side_object_bytes FROM cache_totals WHERE id = 1), "
                     + "(SELECT COALESCE(SUM(size), 0) FROM side_objects)")) {
            rows.next();
            return List.of(rows.getLong(1), rows.getLong(2));
        }
    }

    @Test
    void theKeptTotalsAgreeWithTheRowsAfterEveryKindOfWrite() throws Exception {
        for (int n = 0; n < 60; n++) putSynthetic(n, 100 + n, at(n));
        putSynthetic(3, 500, at(100));
        for (int n = 0; n < 60; n += 2) {
            String hash = TestNarInfos.hashPart("path", n);
            assertThat(index.putSideObject(hash, "store/ls/" + n + ".ls", 10 + n)).isTrue();
            assertThat(index.putSideObject(hash, "store/ls/" + n + ".ls", 20 + n)).isTrue(); // replaces the first size
        }
        assertThat(index.putSideObject(TestNarInfos.hashPart("path", 7), "store/log/7", 5)).isTrue();
        index.putNarFile(new NarFileEntry(new NarFileKey(TestNarInfos.narFileHash(900), Compression.ZSTD), 77, at(1)));
        index.putAll(List.of(new NarFileEntry(new NarFileKey(TestNarInfos.narFileHash(901), Compression.XZ), 33, at(2))),
                List.of(putSynthetic(4, 104, at(4))));
        assertThat(index.deleteNarInfo(TestNarInfos.synthetic(5, TestNarInfos.narFileHash(5)).storePath().hashPart())).isTrue();
        assertThat(index.deleteNarFile(TestNarInfos.narFileHash(6), Compression.XZ)).isTrue();
        assertThat(index.deleteNarFile(TestNarInfos.narFileHash(6), Compression.XZ)).isFalse();
        assertThat(index.deleteNarInfo(TestNarInfos.hashPart("path", 8))).isTrue(); // with its listing
        assertThat(index.stats()).isEqualTo(recount());
        List<Long> sides = sideObjectBytesKeptAndSummed();
        assertThat(sides.getFirst()).isEqualTo(sides.getLast()).isGreaterThan(0);

        index.evict(index.stats().totalBytes() / 2, hash -> false);

        assertThat(index.stats()).isEqualTo(recount());
        sides = sideObjectBytesKeptAndSummed();
        assertThat(sides.getFirst()).isEqualTo(sides.getLast());
    }

    @Test
    void theMigrationCountsTheRowsWrittenBeforeTheTotalsWereKept() throws Exception {
        for (int n = 0; n < 30; n++) putSynthetic(n, 1000 + n, at(n));
        assertThat(index.putSideObject(TestNarInfos.hashPart("path", 1), "store/ls/1.ls", 90)).isTrue();
        Index.Stats before = recount();
        index.close();
        index = null;
        rollBack("7", "evicted_nar_files");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("DROP TABLE cache_totals");
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version IN ('5', '6')");
        }

        index = Index.open(config, Clock.fixed(T0, ZoneOffset.UTC));

        assertThat(index.stats()).isEqualTo(before);
        assertThat(sideObjectBytesKeptAndSummed()).containsExactly(90L, 90L);
    }

    @Test
    void olderRowsGetTheirTextInBatchesThatResumeWhereTheLastStopped() throws Exception {
        List<NarInfoEntry> written = writtenBeforeTheTextColumn();

        int calls = 0;
        int filled = 0;
        Index.TextFill fill;
        do {
            fill = index.fillNarInfoTexts(3);
            filled += fill.filled();
            calls++;
        } while (fill.more());

        assertThat(calls).isEqualTo(written.size() / 3 + 1);
        assertThat(filled).isEqualTo(written.size());
        assertThat(index.fillNarInfoTexts(3)).as("finished for good").isEqualTo(new Index.TextFill(0, false));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.PreparedStatement s = c.prepareStatement("SELECT narinfo_text FROM narinfos WHERE hash = ?")) {
            for (NarInfoEntry entry : written) {
                s.setString(1, entry.hash());
                try (java.sql.ResultSet rows = s.executeQuery()) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo(entry.narInfo().serialize());
                }
                assertThat(index.narInfo(entry.hash())).contains(entry);
            }
        }
    }

    @Test
    void visitingRowsThatHaveTheirTextSavesThePositionOnlyAtTheEnd() throws Exception {
        for (int n = 0; n < 7; n++) putSynthetic(n, 100, at(n));

        for (int i = 0; i < 3; i++) assertThat(index.fillNarInfoTexts(2)).isEqualTo(new Index.TextFill(0, true));
        assertThat(index.config(JdbcIndex.TEXT_FILL_KEY)).as("no write while nothing was filled").isEmpty();
        assertThat(index.fillNarInfoTexts(2)).isEqualTo(new Index.TextFill(0, false));

        assertThat(index.config(JdbcIndex.TEXT_FILL_KEY)).contains("done");
    }

    @Test
    void everyRealNarInfoReadsBackExactlyAsWritten() throws Exception {
        int i = 0;
        for (NarInfo info : TestNarInfos.fixtures()) {
            NarInfoEntry entry = new NarInfoEntry(info.storePath().hashPart(), info,
                    i % 2 == 0 ? null : "https://cache.nixos.org/" + info.url(), at(i++));
            index.putNarInfo(entry);
            assertThat(index.narInfo(entry.hash())).contains(entry);
        }
        assertThat(index.stats().narInfoCount()).isEqualTo(i);
    }

    @Test
    void unknownNarInfoIsEmpty() throws Exception {
        assertThat(index.narInfo(TestNarInfos.hashPart("none", 1))).isEmpty();
        assertThat(index.config("nothing")).isEmpty();
        assertThat(index.narFile("nothing", Compression.XZ)).isEmpty();
    }

    @Test
    void puttingANarInfoAgainReplacesItsReferencesAndSignaturesInOrder() throws Exception {
        NarInfoEntry first = putSynthetic(1, 10, at(1));
        NarInfo changed = first.narInfo().withSignatures(List.of("z-1:" + "C".repeat(86) + "==", "a-1:" + "D".repeat(86) + "=="));
        NarInfoEntry second = new NarInfoEntry(first.hash(), changed, null, at(2));
        index.putNarInfo(second);
        assertThat(index.narInfo(first.hash())).contains(second);
        assertThat(index.stats().narInfoCount()).isEqualTo(1);
    }

    @Test
    void putIfAbsentNeverReplacesAHeldNarInfo() throws Exception {
        NarInfoEntry first = putSynthetic(1, 10, at(1));
        NarInfo changed = first.narInfo().withSignatures(List.of("z-1:" + "C".repeat(86) + "=="));
        NarInfo second = TestNarInfos.synthetic(2, TestNarInfos.narFileHash(2));
        NarInfoEntry other = new NarInfoEntry(second.storePath().hashPart(), second, null, at(3));

        assertThat(index.putNarInfoIfAbsent(new NarInfoEntry(first.hash(), changed, null, at(2)))).isFalse();
        assertThat(index.narInfo(first.hash())).contains(first);
        assertThat(index.putNarInfoIfAbsent(other)).isTrue();
        assertThat(index.narInfo(other.hash())).contains(other);
    }

    @Test
    void deletingANarInfoReportsWhetherItExisted() throws Exception {
        NarInfoEntry entry = putSynthetic(1, 10, at(1));
        assertThat(index.deleteNarInfo(entry.hash())).isTrue();
        assertThat(index.deleteNarInfo(entry.hash())).isFalse();
        assertThat(index.narInfo(entry.hash())).isEmpty();
        // its NAR file row stays: deleting bytes is the caller's decision
        assertThat(index.stats().narFileCount()).isEqualTo(1);
    }

    @Test
    void configPutIfAbsentKeepsTheFirstValueAndConfigPutOverwrites() throws Exception {
        assertThat(index.configPutIfAbsent("secret_key", "first")).isEqualTo("first");
        assertThat(index.configPutIfAbsent("secret_key", "second")).isEqualTo("first");
        assertThat(index.config("secret_key")).contains("first");
        index.configPut("secret_key", "x".repeat(5000));
        assertThat(index.config("secret_key")).contains("x".repeat(5000));
        index.configPut("cluster_uuid", "u");
        assertThat(index.config("cluster_uuid")).contains("u");
    }

    @Test
    void concurrentConfigPutIfAbsentAgreesOnOneValue() throws Exception {
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (int i = 0; i < 6; i++) {
                String value = "value-" + i;
                results.add(pool.submit(() -> index.configPutIfAbsent("secret_key", value)));
            }
        }
        Set<String> seen = new java.util.HashSet<>();
        for (Future<String> f : results) seen.add(f.get());
        assertThat(seen).hasSize(1);
        assertThat(index.config("secret_key")).contains(seen.iterator().next());
    }

    @Test
    void concurrentPutsOfOneNarInfoLeaveOneCompleteRow() throws Exception {
        NarInfo info = TestNarInfos.synthetic(7, TestNarInfos.narFileHash(7));
        List<Future<?>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                NarInfoEntry entry = new NarInfoEntry(info.storePath().hashPart(), info, null, at(i));
                results.add(pool.submit(() -> { index.putNarInfo(entry); return null; }));
            }
        }
        for (Future<?> f : results) f.get();
        assertThat(index.stats().narInfoCount()).isEqualTo(1);
        assertThat(index.narInfo(info.storePath().hashPart()).orElseThrow().narInfo()).isEqualTo(info);
    }

    @Test
    void narFileRowsArePagedInHashAndCompressionOrderWithoutGapsOrRepeats() throws Exception {
        List<NarFileKey> keys = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            for (Compression compression : List.of(Compression.ZSTD, Compression.NONE, Compression.XZ)) {
                NarFileKey key = new NarFileKey(TestNarInfos.narFileHash(i), compression);
                index.putNarFile(new NarFileEntry(key, i, at(i)));
                keys.add(key);
            }
        }
        List<NarFileKey> paged = new ArrayList<>();
        NarFileKey after = null;
        for (List<NarFileEntry> page; !(page = index.narFiles(after, 2)).isEmpty(); after = page.getLast().key()) {
            assertThat(page.size()).isLessThanOrEqualTo(2);
            page.forEach(row -> paged.add(row.key()));
        }
        keys.sort(Comparator.comparing(NarFileKey::narHash).thenComparing(k -> k.compression().nixName()));
        assertThat(paged).isEqualTo(keys);
    }

    @Test
    void narFileRowsAreUpsertedListedAndDeleted() throws Exception {
        NarFileKey key = new NarFileKey(TestNarInfos.narFileHash(1), Compression.ZSTD);
        index.putNarFile(new NarFileEntry(key, 100, at(1)));
        index.putNarFile(new NarFileEntry(key, 120, at(2)));
        index.putNarFile(new NarFileEntry(new NarFileKey(key.narHash(), Compression.XZ), 90, at(3)));
        assertThat(index.narFile(key.narHash(), Compression.ZSTD)).contains(new NarFileEntry(key, 120, at(2)));
        assertThat(index.narFiles(null, 10)).containsExactly(new NarFileEntry(new NarFileKey(key.narHash(), Compression.XZ), 90, at(3)),
                new NarFileEntry(key, 120, at(2)));
        assertThat(index.stats()).isEqualTo(new Index.Stats(0, 2, 210));
        assertThat(index.deleteNarFile(key.narHash(), Compression.ZSTD)).isTrue();
        assertThat(index.deleteNarFile(key.narHash(), Compression.ZSTD)).isFalse();
        assertThat(index.stats()).isEqualTo(new Index.Stats(0, 1, 90));
    }

    @Test
    void evictionRemovesLeastRecentlyUsedNarInfosUntilUnderTheLimit() throws Exception {
        List<NarInfoEntry> entries = new ArrayList<>();
        for (int n = 0; n < 5; n++) entries.add(putSynthetic(n, 100, at(100 - n * 10))); // n=4 is the oldest
        List<NarFileEntry> freed = index.evict(250, hash -> false).narFiles();
        assertThat(freed).extracting(f -> f.key().narHash())
                .containsExactly(TestNarInfos.narFileHash(4), TestNarInfos.narFileHash(3), TestNarInfos.narFileHash(2));
        assertThat(index.stats()).isEqualTo(new Index.Stats(2, 2, 200));
        assertThat(index.narInfo(entries.get(0).hash())).isPresent();
        assertThat(index.narInfo(entries.get(4).hash())).isEmpty();
    }

    @Test
    void evictionNeverTouchesSkippedNarInfos() throws Exception {
        NarInfoEntry oldest = putSynthetic(0, 100, at(1));
        putSynthetic(1, 100, at(2));
        putSynthetic(2, 100, at(3));
        List<NarFileEntry> freed = index.evict(200, hash -> hash.equals(oldest.hash())).narFiles();
        assertThat(freed).extracting(f -> f.key().narHash()).containsExactly(TestNarInfos.narFileHash(1));
        assertThat(index.narInfo(oldest.hash())).isPresent();
    }

    @Test
    void evictionNeverRemovesAPathOfAPinnedClosureWhateverItsAge() throws Exception {
        List<NarInfoEntry> entries = new ArrayList<>();
        for (int n = 0; n < 4; n++) entries.add(putSynthetic(n, 100, at(n))); // n=0 is the oldest
        String root = entries.get(0).hash();
        assertThat(index.pin(root)).satisfies(pin -> {
            assertThat(pin.state()).isEqualTo(Index.PinState.WALKING);
            assertThat(pin.paths()).as("the root is the first path").isEqualTo(1);
            assertThat(pin.pinnedAt()).isEqualTo(T0);
        });
        assertThat(index.addPinnedPaths(root, List.of(entries.get(1).hash()))).isTrue();

        List<NarFileEntry> freed = index.evict(0, hash -> false).narFiles();

        assertThat(freed).extracting(f -> f.key().narHash())
                .containsExactly(TestNarInfos.narFileHash(2), TestNarInfos.narFileHash(3));
        assertThat(index.narInfo(entries.get(0).hash())).isPresent();
        assertThat(index.narInfo(entries.get(1).hash())).isPresent();
        assertThat(index.pinCounts()).isEqualTo(new Index.PinCounts(1, 2));
    }

    @Test
    void anUnpinnedClosureIsEvictedAgainAndItsWalkCanNoLongerWrite() throws Exception {
        NarInfoEntry entry = putSynthetic(0, 100, at(1));
        index.pin(entry.hash());
        assertThat(index.unpin(entry.hash())).isTrue();
        assertThat(index.unpin(entry.hash())).as("a second unpin finds nothing").isFalse();

        assertThat(index.addPinnedPaths(entry.hash(), List.of(TestNarInfos.synthetic(1, "x").storePath().hashPart()))).isFalse();
        assertThat(index.pinProgress(entry.hash(), 1, Index.PinState.COMPLETE, null)).isFalse();
        assertThat(index.pins()).isEmpty();
        assertThat(index.pinCounts()).isEqualTo(new Index.PinCounts(0, 0));
        assertThat(index.evict(0, hash -> false).narFiles()).hasSize(1);
    }

    @Test
    void pinningAgainKeepsAPinAndRestartsOnlyAFailedOne() throws Exception {
        String a = TestNarInfos.synthetic(0, "x").storePath().hashPart();
        String b = TestNarInfos.synthetic(1, "x").storePath().hashPart();
        index.pin(b);
        index.pin(a);
        index.addPinnedPaths(a, List.of(b, a));
        assertThat(index.pinProgress(a, 2, Index.PinState.COMPLETE, null)).isTrue();
        assertThat(index.pin(a)).as("complete stays complete")
                .extracting(Index.PinStatus::state, Index.PinStatus::paths, Index.PinStatus::fetched)
                .containsExactly(Index.PinState.COMPLETE, 2L, 2L);

        index.pinProgress(b, 0, Index.PinState.FAILED, "path x: no upstream has it");
        assertThat(index.pinStatus(b)).get().extracting(Index.PinStatus::error).isEqualTo("path x: no upstream has it");
        assertThat(index.pin(b)).extracting(Index.PinStatus::state, Index.PinStatus::error)
                .containsExactly(Index.PinState.WALKING, null);
        assertThat(index.pins()).extracting(Index.PinStatus::hash).containsExactly(a.compareTo(b) < 0 ? a : b, a.compareTo(b) < 0 ? b : a);
        assertThat(index.pinCounts()).as("b is listed by both pins, counted once").isEqualTo(new Index.PinCounts(2, 2));
    }

    @Test
    void evictionKeepsANarFileSharedByANarInfoThatStays() throws Exception {
        String shared = TestNarInfos.narFileHash(0);
        index.putNarFile(new NarFileEntry(new NarFileKey(shared, Compression.XZ), 100, at(1)));
        for (int n = 0; n < 2; n++) {
            NarInfo info = TestNarInfos.synthetic(n, shared);
            index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), info, null, at(n)));
        }
        putSynthetic(5, 100, at(10));
        // Deleting the oldest narinfo frees nothing (the NAR is still linked), so the second goes too.
        List<NarFileEntry> freed = index.evict(100, hash -> false).narFiles();
        assertThat(freed).extracting(f -> f.key().narHash()).containsExactly(shared);
        assertThat(index.stats()).isEqualTo(new Index.Stats(1, 1, 100));
    }

    @Test
    void aNarInfoStoredBeforeItsNarIsLinkedWhenTheNarArrivesAndThenEvictedWithIt() throws Exception {
        String narHash = TestNarInfos.narFileHash(7);
        NarInfo info = TestNarInfos.synthetic(7, narHash);
        index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), info, "https://up.example/nar/x.nar.xz", at(1)));
        NarFileKey key = new NarFileKey(narHash, Compression.XZ);
        assertThat(index.narInfoForNarFile(key)).map(NarInfoEntry::hash).contains(info.storePath().hashPart());
        assertThat(index.narInfoForNarFile(new NarFileKey(narHash, Compression.ZSTD))).isEmpty();

        index.putNarFile(new NarFileEntry(key, 100, at(2)));
        List<NarFileEntry> freed = index.evict(0, hash -> false).narFiles();
        assertThat(freed).extracting(NarFileEntry::key).containsExactly(key);
        assertThat(index.stats()).isEqualTo(new Index.Stats(0, 0, 0));
    }

    @Test
    void evictionLeavesNarFilesThatNeverHadANarInfo() throws Exception {
        index.putNarFile(new NarFileEntry(new NarFileKey("inflight", Compression.XZ), 1000, at(0)));
        putSynthetic(1, 100, at(1));
        List<NarFileEntry> freed = index.evict(10, hash -> false).narFiles();
        assertThat(freed).extracting(f -> f.key().narHash()).containsExactly(TestNarInfos.narFileHash(1));
        assertThat(index.narFile("inflight", Compression.XZ)).isPresent();
    }

    @Test
    void evictionRecordsEachNarFileItRemovesWithItsNarInfoAndCountsThemNowhere() throws Exception {
        List<NarInfoEntry> entries = new ArrayList<>();
        for (int n = 0; n < 3; n++) entries.add(putSynthetic(n, 100, at(n)));
        String shared = TestNarInfos.narFileHash(9);
        index.putNarFile(new NarFileEntry(new NarFileKey(shared, Compression.XZ), 100, at(5)));
        NarInfo sharing = TestNarInfos.synthetic(9, shared);
        NarInfo sharingToo = TestNarInfos.synthetic(10, shared);
        index.putNarInfo(new NarInfoEntry(sharing.storePath().hashPart(), sharing, null, at(5)));
        index.putNarInfo(new NarInfoEntry(sharingToo.storePath().hashPart(), sharingToo, null, at(6)));

        index.evict(0, hash -> false);

        assertThat(index.evictedNarInfo(narFileKey(0))).contains(entries.get(0).hash());
        assertThat(index.evictedNarInfo(narFileKey(1))).contains(entries.get(1).hash());
        assertThat(index.evictedNarInfo(narFileKey(2))).contains(entries.get(2).hash());
        assertThat(index.evictedNarInfo(new NarFileKey(shared, Compression.XZ)))
                .as("the narinfo whose deletion removed the last link").contains(sharingToo.storePath().hashPart());
        assertThat(index.evictedNarInfo(new NarFileKey(TestNarInfos.narFileHash(0), Compression.ZSTD))).isEmpty();
        assertThat(index.evictedNarInfo(narFileKey(7))).as("never stored").isEmpty();
        assertThat(index.stats()).isEqualTo(recount()).isEqualTo(new Index.Stats(0, 0, 0));
        assertThat(evictedRecords()).isEqualTo(4);
    }

    @Test
    void aNarInfoEvictedBeforeItsNarWasStoredIsRecordedToo() throws Exception {
        NarInfo info = TestNarInfos.synthetic(3, TestNarInfos.narFileHash(3));
        index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), info, "https://up.example/" + info.url(), at(1)));
        NarInfo foreign = TestNarInfos.synthetic(4, TestNarInfos.narFileHash(4)).withUrl("https://elsewhere.example/x.nar",
                Compression.XZ, null, 0);
        index.putNarInfo(new NarInfoEntry(foreign.storePath().hashPart(), foreign, null, at(2)));
        putSynthetic(5, 100, at(3));

        assertThat(index.evict(0, hash -> false).narFiles()).extracting(NarFileEntry::key).containsExactly(narFileKey(5));

        assertThat(index.evictedNarInfo(narFileKey(3))).contains(info.storePath().hashPart());
        assertThat(evictedRecords()).as("a URL not of ncps's form names no NAR").isEqualTo(2);
    }

    @Test
    void aNarFileEvictedAgainKeepsOneRecordNamingTheLatestNarInfo() throws Exception {
        putSynthetic(0, 100, at(0));
        index.evict(0, hash -> false);
        NarInfo other = TestNarInfos.synthetic(1, TestNarInfos.narFileHash(0));
        index.putNarFile(new NarFileEntry(narFileKey(0), 100, at(1)));
        index.putNarInfo(new NarInfoEntry(other.storePath().hashPart(), other, null, at(1)));

        index.evict(0, hash -> false);

        assertThat(index.evictedNarInfo(narFileKey(0))).contains(other.storePath().hashPart());
        assertThat(evictedRecords()).isEqualTo(1);
    }

    @Test
    void evictedNarFilesAreForgottenAfterTheirRetentionOnTheNextRun() throws Exception {
        putSynthetic(0, 100, at(0));
        index.evict(0, hash -> false);
        Instant recent = T0.plus(Index.EVICTED_RETENTION).minusSeconds(60);
        try (Index later = Index.open(config, Clock.fixed(recent, ZoneOffset.UTC))) {
            putSynthetic(1, 100, at(1));
            later.evict(0, hash -> false);
            assertThat(later.evictedNarInfo(narFileKey(0))).as("not yet past its retention").isPresent();
        }
        try (Index muchLater = Index.open(config, Clock.fixed(T0.plus(Index.EVICTED_RETENTION).plusSeconds(1), ZoneOffset.UTC))) {
            muchLater.evict(Long.MAX_VALUE, hash -> false);

            assertThat(muchLater.evictedNarInfo(narFileKey(0))).isEmpty();
            assertThat(muchLater.evictedNarInfo(narFileKey(1))).as("evicted later, kept").isPresent();
        }
    }

    @Test
    void evictedNarFilesBeyondTheRowBoundAreForgottenOldestFirst() throws Exception {
        for (int n = 0; n < 5; n++) putSynthetic(n, 100, at(n));
        index.evict(0, hash -> false);

        ((JdbcIndex) index).pruneEvicted(2);

        assertThat(evictedRecords()).isEqualTo(2);
        assertThat(index.evictedNarInfo(narFileKey(4))).isPresent();
        assertThat(index.evictedNarInfo(narFileKey(3))).isPresent();
        assertThat(index.evictedNarInfo(narFileKey(2))).isEmpty();
    }

    @Test
    void aDatabaseMigratedBeforeEvictedNarFilesWereRecordedGetsTheTable() throws Exception {
        putSynthetic(0, 100, at(0));
        index.close();
        index = null;
        rollBack("7", "evicted_nar_files");
        assertThat(Index.migrate(config, true).pending()).containsExactly("7");

        index = Index.open(config, Clock.fixed(T0, ZoneOffset.UTC));
        index.evict(0, hash -> false);

        assertThat(index.evictedNarInfo(narFileKey(0))).isPresent();
        assertThat(index.stats()).isEqualTo(new Index.Stats(0, 0, 0));
    }

    /** Undoes the latest migration, {@code version}, which created only {@code table}. */
    void rollBack(String version, String table) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("DROP TABLE " + table);
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '" + version + "'");
        }
    }

    private static NarFileKey narFileKey(int n) {
        return new NarFileKey(TestNarInfos.narFileHash(n), Compression.XZ);
    }

    private long evictedRecords() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM evicted_nar_files")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void evictionUnderTheLimitDeletesNothing() throws Exception {
        putSynthetic(1, 100, at(1));
        assertThat(index.evict(100, hash -> false).narFiles()).isEmpty();
        assertThat(index.stats()).isEqualTo(new Index.Stats(1, 1, 100));
    }

    @Test
    void narInfosWithUrlsOfAnotherShapeAreNotLinked() throws Exception {
        NarInfo info = TestNarInfos.synthetic(1, TestNarInfos.narFileHash(1));
        index.putNarFile(new NarFileEntry(new NarFileKey(TestNarInfos.narFileHash(1), Compression.XZ), 100, at(1)));
        NarInfo elsewhere = info.withUrl("nar/" + TestNarInfos.narFileHash(1) + ".nar.xz?x=1", Compression.XZ,
                info.fileHash(), info.fileSize());
        index.putNarInfo(new NarInfoEntry(info.storePath().hashPart(), elsewhere, null, at(0)));
        // The narinfo frees no bytes, so eviction deletes it and reports no NAR file.
        assertThat(index.evict(0, hash -> false).narFiles()).isEmpty();
        assertThat(index.stats()).isEqualTo(new Index.Stats(0, 1, 100));
    }

    @Test
    void touchAppliesAccessTimesAcrossBatchesAndIgnoresUnknownRows() throws Exception {
        int count = JdbcIndex.BATCH + 20;
        Map<String, Instant> narInfoAccess = new HashMap<>();
        Map<NarFileKey, Instant> narFileAccess = new HashMap<>();
        List<NarInfoEntry> entries = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            entries.add(putSynthetic(n, 1, at(0)));
            narInfoAccess.put(entries.get(n).hash(), at(1000 + n));
            narFileAccess.put(new NarFileKey(TestNarInfos.narFileHash(n), Compression.XZ), at(2000 + n));
        }
        narInfoAccess.put(TestNarInfos.hashPart("missing", 1), at(5));
        narFileAccess.put(new NarFileKey("missing", Compression.XZ), at(5));
        index.touch(narInfoAccess, narFileAccess);
        for (int n : new int[] {0, JdbcIndex.BATCH - 1, JdbcIndex.BATCH, count - 1}) {
            assertThat(index.narInfo(entries.get(n).hash()).orElseThrow().lastAccessed()).isEqualTo(at(1000 + n));
            assertThat(index.narFile(TestNarInfos.narFileHash(n), Compression.XZ).orElseThrow().lastAccessed())
                    .isEqualTo(at(2000 + n));
        }
        assertThat(index.stats().narInfoCount()).isEqualTo(count);
        // LRU now follows the touched times: the lowest n is the oldest again.
        assertThat(index.evict(count - 1, hash -> false).narFiles()).extracting(f -> f.key().narHash())
                .containsExactly(TestNarInfos.narFileHash(0));
    }

    @Test
    void migrationDryRunReportsPendingVersionsAndARealRunAppliesThem() throws Exception {
        IndexConfig fresh = freshDatabase().withMigrateOnOpen(false);
        MigrationReport dry = Index.migrate(fresh, true);
        assertThat(dry.previouslyApplied()).isEmpty();
        assertThat(dry.pending()).contains("1");
        MigrationReport real = Index.migrate(fresh, false);
        assertThat(real.appliedNow()).isEqualTo(dry.pending());
        assertThat(real.pending()).isEmpty();
        assertThat(Index.migrate(fresh, false).appliedNow()).isEmpty();
    }

    @Test
    void aBuildTraceEntryReadsBackWithItsSignaturesAndAnUpdateReplacesIt() throws Exception {
        StorePath drv = StorePath.parseBaseName("00000000000000000000000000000000-producer.drv");
        StorePath out = StorePath.parseBaseName("11111111111111111111111111111111-produced");
        SecretKey ours = SecretKey.generate("ncps-test-1");
        SecretKey theirs = SecretKey.generate("upstream-test-1");
        BuildTrace trace = new BuildTrace(drv, "out", out, List.of());
        BuildTrace signed = trace.withSignatures(List.of(theirs.sign(trace.fingerprint()), ours.sign(trace.fingerprint())));

        index.putBuildTrace(signed);

        assertThat(index.buildTrace(drv, "out")).contains(signed);
        assertThat(index.buildTrace(drv, "dev")).isEmpty();
        BuildTrace rebuilt = new BuildTrace(drv, "out", StorePath.parseBaseName("22222222222222222222222222222222-produced"), List.of());
        index.putBuildTrace(rebuilt);
        index.putBuildTrace(new BuildTrace(drv, "dev", out, List.of()));
        assertThat(index.buildTrace(drv, "out")).contains(rebuilt);
        assertThat(index.buildTrace(drv, "dev")).isPresent();
    }

    @Test
    void listingsAndBuildLogsCountTowardTheLimitAndAreEvictedWithTheirNarInfo() throws Exception {
        NarInfoEntry oldest = putSynthetic(0, 100, at(1));
        NarInfo base = TestNarInfos.synthetic(1, TestNarInfos.narFileHash(1));
        String drv = TestNarInfos.hashPart("drv", 1) + "-pkg-1.drv";
        NarInfo built = new NarInfo(base.storePath(), base.url(), base.compression(), base.fileHash(), base.fileSize(),
                base.narHash(), base.narSize(), base.references(), drv, base.system(), base.signatures(), null);
        index.putNarFile(new NarFileEntry(new NarFileKey(TestNarInfos.narFileHash(1), Compression.XZ), 100, at(2)));
        index.putNarInfo(new NarInfoEntry(built.storePath().hashPart(), built, null, at(2)));
        NarInfoEntry newest = putSynthetic(2, 100, at(3));

        assertThat(index.putSideObject(oldest.hash(), "store/ls/oldest.ls", 50)).isTrue();
        assertThat(index.putSideObject(oldest.hash(), "store/ls/oldest.ls", 40)).isTrue();
        assertThat(index.putSideObjectOfDeriver(drv, "store/log/built", 30)).isTrue();
        assertThat(index.putSideObject(TestNarInfos.hashPart("none", 1), "store/ls/none.ls", 10)).isFalse();
        assertThat(index.putSideObjectOfDeriver("00000000000000000000000000000000-none.drv", "store/log/none", 10)).isFalse();

        // 300 bytes of NARs and 70 of side objects: above 330, so the oldest narinfo goes with its listing.
        Index.Evicted first = index.evict(330, hash -> false);
        assertThat(first.narFiles()).extracting(f -> f.key().narHash()).containsExactly(TestNarInfos.narFileHash(0));
        assertThat(first.sideObjects()).containsExactly("store/ls/oldest.ls");
        // 200 of NARs and 30 of the log: the next one goes with its log.
        Index.Evicted second = index.evict(200, hash -> false);
        assertThat(second.sideObjects()).containsExactly("store/log/built");
        assertThat(index.narInfo(newest.hash())).isPresent();
        assertThat(index.evict(100, hash -> false).sideObjects()).isEmpty();
    }
}
