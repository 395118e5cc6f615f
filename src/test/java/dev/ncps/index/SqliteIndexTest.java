package dev.ncps.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteIndexTest extends IndexContractTest {
    @TempDir
    Path dir;
    private int databases;

    @Override
    IndexConfig freshDatabase() {
        return TestIndexConfigs.sqlite(dir.resolve("db" + databases++).resolve("nested/ncps.db"));
    }

    @Test
    void openingCreatesTheParentDirectoriesOfTheDatabaseFile() throws Exception {
        Path file = dir.resolve("a/b/c/index.db");
        try (Index created = Index.open(TestIndexConfigs.sqlite(file))) {
            created.configPut("k", "v");
        }
        assertThat(file).exists();
        assertThat(Files.exists(dir.resolve("a/b/c/index.db-wal")) || Files.size(file) > 0).isTrue();
    }

    @Test
    void aReadWithoutWaitingIsNotHeldUpByAWriterAndEndsWithTheIndex() throws Exception {
        IndexConfig config = freshDatabase();
        dev.ncps.nix.NarInfo info = TestNarInfos.fixtures().getFirst();
        String hash = info.storePath().hashPart();
        Index opened = Index.open(config);
        opened.putNarInfo(new Index.NarInfoEntry(hash, info, null, java.time.Instant.EPOCH));
        // A write transaction open on another connection (as a cache miss or an LRU batch holds one): the read has no
        // busy timeout, so had it to wait it would give up and answer empty.
        try (java.sql.Connection other = java.sql.DriverManager.getConnection(config.jdbcUrl());
             java.sql.Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            s.executeUpdate("UPDATE narinfos SET narinfo_text = 'uncommitted'");
            HitReadAnswers answer = HitReadAnswers.ask(opened, hash);
            assertThat(answer.answeredBeforeReturning()).as("read on the calling thread").isTrue();
            assertThat(answer.awaited()).contains(info.serialize());
            s.execute("ROLLBACK");
        }
        opened.close();
        assertThat(HitReadAnswers.awaited(opened, hash)).as("after close").isEmpty();
    }

    /**
     * The readers keep their prepared statement between reads; a statement left mid-read would pin its WAL snapshot,
     * and the log could never be folded back into the database.
     */
    @Test
    void readsWithoutWaitingLeaveNoSnapshotThatHoldsBackACheckpoint() throws Exception {
        IndexConfig config = freshDatabase();
        dev.ncps.nix.NarInfo info = TestNarInfos.fixtures().getFirst();
        String hash = info.storePath().hashPart();
        try (Index opened = Index.open(config);
             java.sql.Connection other = java.sql.DriverManager.getConnection(config.jdbcUrl());
             java.sql.Statement s = other.createStatement()) {
            opened.putNarInfo(new Index.NarInfoEntry(hash, info, null, java.time.Instant.EPOCH));
            assertThat(HitReadAnswers.awaited(opened, "0".repeat(32))).isEmpty();
            assertThat(HitReadAnswers.awaited(opened, hash)).isPresent();
            opened.configPut("k", "v");
            try (java.sql.ResultSet checkpoint = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                assertThat(checkpoint.next()).isTrue();
                assertThat(checkpoint.getInt(1)).as("checkpoint blocked by a reader").isZero();
            }
        }
    }

    @Test
    void aReopenedDatabaseKeepsItsRowsAndIsNotMigratedTwice() throws Exception {
        IndexConfig config = freshDatabase();
        try (Index first = Index.open(config)) {
            first.configPut("k", "v");
        }
        try (Index second = Index.open(config)) {
            assertThat(second.config("k")).contains("v");
        }
        assertThat(Index.migrate(config, true).pending()).isEmpty();
    }
}
