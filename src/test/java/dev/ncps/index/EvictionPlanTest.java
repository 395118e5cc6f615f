package dev.ncps.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarFileKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An LRU run costs in proportion to what it evicts, not to the size of the cache, only while every statement it makes
 * ({@link Eviction}'s) is answered from an index: each is checked here by the database's own plan on an index of a few
 * thousand paths with a pinned closure among them and statistics gathered, as the planner sees a real cache. A
 * statement that scans a table, or sorts it, fails. Counting rows read is not portable; plans name what they read.
 */
abstract class EvictionPlanTest {
    private static final int PATHS = 3000;
    private static final int PINNED = 1000;
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private IndexConfig config;

    /** A fresh, empty database. */
    abstract IndexConfig freshDatabase();

    @BeforeEach
    void fillAnIndex() throws Exception {
        config = freshDatabase();
        try (Index index = Index.open(config)) {
            List<NarFileEntry> files = new ArrayList<>();
            List<NarInfoEntry> infos = new ArrayList<>();
            List<String> pinned = new ArrayList<>();
            for (int n = 0; n < PATHS; n++) {
                Instant at = START.plusSeconds(n);
                files.add(new NarFileEntry(new NarFileKey(TestNarInfos.narFileHash(n), Compression.XZ), 100, at));
                String hash = TestNarInfos.hashPart("path", n);
                infos.add(new NarInfoEntry(hash, TestNarInfos.synthetic(n, TestNarInfos.narFileHash(n)), "https://up", at));
                if (n % (PATHS / PINNED) == 0) pinned.add(hash);
            }
            index.putAll(files, infos);
            index.pin(pinned.getFirst());
            assertThat(index.addPinnedPaths(pinned.getFirst(), pinned)).isTrue();
            // Listings of a third of the paths: an empty table would be planned as a scan whatever its indexes.
            for (String hash : pinned) assertThat(index.putSideObject(hash, "store/ls/" + hash + ".ls", 10)).isTrue();
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(config.dialect() == Dialect.MYSQL
                    ? "ANALYZE TABLE narinfos, nar_files, narinfo_nar_files, pinned_paths, side_objects" : "ANALYZE");
        }
    }

    @Test
    void theFirstBatchReadsTheOldestNarInfosInIndexOrder() throws Exception {
        List<String> plan = plan(Eviction.candidatesSql(false), List.of());
        assertAnswersFromIndexes(plan);
        assertThat(String.join("\n", plan)).contains("narinfos_last_accessed_at_idx");
        assertLooksUpEachCandidateInThePins(plan);
    }

    @Test
    void laterBatchesStartTheIndexRangeAtTheCursor() throws Exception {
        Instant cursor = START.plusSeconds(PATHS / 2);
        List<String> plan = plan(Eviction.candidatesSql(true), List.of(cursor, cursor, (long) PATHS / 2));
        assertAnswersFromIndexes(plan);
        assertThat(String.join("\n", plan)).contains("narinfos_last_accessed_at_idx");
        assertLooksUpEachCandidateInThePins(plan);
        // Not a walk of the index from its oldest entry with the cursor as a filter: the range starts at the cursor.
        assertThat(plan).as("plan").anyMatch(switch (config.dialect()) {
            case SQLITE -> line -> line.matches("SEARCH \\w+ USING INDEX narinfos_last_accessed_at_idx \\(last_accessed_at>.*");
            case POSTGRESQL -> line -> line.contains("Index Cond: (last_accessed_at >=");
            case MYSQL -> line -> line.contains(" type=range key=narinfos_last_accessed_at_idx ");
        });
    }

    @Test
    void aBatchReadsOnlyTheRowsOfItsOwnNarInfosAndNarFiles() throws Exception {
        List<Object> ids = List.of(5L, 6L, 7L);
        for (String sql : List.of(Eviction.linkedFilesSql(3), Eviction.sideObjectsSql(3), Eviction.deleteNarInfosSql(3),
                Eviction.deleteOrphansSql(3), Eviction.presentSql(3))) {
            assertAnswersFromIndexes(plan(sql, ids));
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
    }

    /** The plan, a line per step (SQLite, PostgreSQL) or per table read (MySQL: table, access type, key, extra). */
    private List<String> plan(String sql, List<Object> parameters) throws SQLException {
        String explain = (config.dialect() == Dialect.SQLITE ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + sql;
        List<String> lines = new ArrayList<>();
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(explain)) {
            for (int i = 0; i < parameters.size(); i++) {
                if (parameters.get(i) instanceof Instant at) config.dialect().setInstant(s, i + 1, at);
                else s.setLong(i + 1, (Long) parameters.get(i));
            }
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    lines.add(switch (config.dialect()) {
                        case SQLITE -> rows.getString("detail");
                        case POSTGRESQL -> rows.getString(1);
                        case MYSQL -> rows.getString("table") + " type=" + rows.getString("type") + " key=" + rows.getString("key")
                                + " extra=" + rows.getString("Extra") + " select_type=" + rows.getString("select_type");
                    });
                }
            }
        }
        return lines;
    }

    /** A pinned path is looked up per candidate by its hash, never by reading every pinned path. */
    private void assertLooksUpEachCandidateInThePins(List<String> plan) {
        assertThat(plan).as("plan").anyMatch(switch (config.dialect()) {
            case SQLITE -> line -> line.matches("SEARCH p USING COVERING INDEX pinned_paths_hash_idx \\(hash=\\?\\).*");
            case POSTGRESQL -> line -> line.contains("Index Cond: (hash = (n.hash)::text)");
            case MYSQL -> line -> line.startsWith("p type=ref key=pinned_paths_hash_idx ");
        });
    }

    private void assertAnswersFromIndexes(List<String> plan) {
        assertThat(plan).as("plan").isNotEmpty();
        switch (config.dialect()) {
            case SQLITE -> assertThat(plan).as("plan").noneMatch(line -> line.startsWith("SCAN") && !line.contains("USING")
                    || line.contains("TEMP B-TREE"));
            // An Incremental Sort over the index on last_accessed_at sorts only rows of equal access time by id.
            case POSTGRESQL -> assertThat(plan).as("plan").noneMatch(line -> line.contains("Seq Scan")
                    || line.matches("\\s*(->\\s*)?Sort\\s+\\(.*"));
            // type=index walks a whole index: only the oldest-first walk of last_accessed_at, which LIMIT stops, may.
            case MYSQL -> assertThat(plan).as("plan").noneMatch(line -> line.contains(" type=ALL ") || line.contains("filesort")
                    || line.contains(" type=index ") && !line.contains(" key=narinfos_last_accessed_at_idx ")
                    || line.contains("MATERIALIZED"));
        }
    }
}
