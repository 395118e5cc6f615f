package dev.ncps.index;

import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NixParseException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One LRU run as a series of short transactions, {@link #BATCH} narinfos each, so writers (every cache
 * miss) wait at most one batch for the single SQLite writer instead of the whole run, and a run costs in
 * proportion to what it evicts. Narinfos are read in {@code last_accessed_at, id} order after a cursor;
 * each deleted narinfo frees the NAR files it was the last link to. The link counts are computed in
 * memory per batch, and the final {@code DELETE} re-checks "no link left" so that a NAR file linked again
 * concurrently survives (and is not reported). Narinfos listed in a pinned closure ({@code pinned_paths}) are never
 * candidates; a pin listed within a batch's transaction is seen by the next batch.
 *
 * <p>A batch's transaction may be retried, so {@link #step} works on a copy of the run's state and
 * {@link #advance} adopts it only once the transaction committed.
 *
 * <p>The NAR each deleted narinfo names is recorded in {@code evicted_nar_files} with the narinfo, in the same
 * transaction, so no reader sees the rows gone without the record ({@link Index#evictedNarInfo}); whether the NAR
 * file was stored or not (a client may hold the narinfo and not have asked for the NAR yet).
 *
 * <p>NAR file rows that never had a link are left alone: by the write order (bytes, NAR file row,
 * narinfo row) they may belong to a narinfo being stored right now.
 */
final class Eviction {
    /** Narinfos per transaction: a waiting write is delayed by one batch (tens of milliseconds; 100 measured 4x slower waits). */
    static final int BATCH = 25;

    private final Dialect dialect;
    private final long maxBytes;
    private final Predicate<String> skip;
    private final Instant now;
    private final List<NarFileEntry> freed = new ArrayList<>();
    private final List<String> sideObjects = new ArrayList<>();
    private long total;
    private Instant cursorTime;
    private long cursorId;
    private boolean done;

    /**
     * @param total the bytes of all NAR files and side objects when the run starts (the {@code cache_totals} row, not
     *                a sum over the rows)
     */
    Eviction(Dialect dialect, long maxBytes, Predicate<String> skip, long total, Instant now) {
        this.dialect = dialect;
        this.now = now;
        this.maxBytes = maxBytes;
        this.skip = skip;
        this.total = total;
        this.done = total <= maxBytes;
    }

    boolean done() {
        return done;
    }

    List<NarFileEntry> freed() {
        return List.copyOf(freed);
    }

    List<String> sideObjects() {
        return List.copyOf(sideObjects);
    }

    /** The state after one batch, adopted by {@link #advance} once its transaction committed. */
    record Step(long total, Instant cursorTime, long cursorId, List<NarFileEntry> freed, List<String> sideObjects, boolean last) {}

    /** Evicts the next batch inside the caller's transaction, recording what it removed in {@code totals}. */
    Step step(Connection c, Totals totals) throws SQLException {
        Batch batch = new Batch(c, total, cursorTime, cursorId);
        Map<Long, Candidate> candidates = batch.nextCandidates();
        if (candidates.isEmpty()) return new Step(total, cursorTime, cursorId, List.of(), List.of(), true);
        Map<Long, Candidate> chosen = new LinkedHashMap<>();
        candidates.forEach((id, candidate) -> {
            if (!skip.test(candidate.hash())) chosen.put(id, candidate);
        });
        if (!chosen.isEmpty()) batch.evictFrom(chosen, totals);
        return new Step(batch.total, batch.cursorTime, batch.cursorId, batch.freed, batch.sideObjects, batch.total <= maxBytes);
    }

    void advance(Step step) {
        total = step.total();
        cursorTime = step.cursorTime();
        cursorId = step.cursorId();
        freed.addAll(step.freed());
        sideObjects.addAll(step.sideObjects());
        done = step.last();
    }

    /**
     * Deletes the records of evicted NAR files older than {@code cutoff}, then all but the newest {@code maxRows}
     * (ids grow with each record, a NAR evicted again gets a new one). Returns the records deleted.
     */
    static int pruneRecords(Connection c, Dialect dialect, Instant cutoff, int maxRows) throws SQLException {
        int pruned;
        try (PreparedStatement s = c.prepareStatement("DELETE FROM evicted_nar_files WHERE evicted_at < ?")) {
            dialect.setInstant(s, 1, cutoff);
            pruned = s.executeUpdate();
        }
        // Two statements: MySQL refuses a DELETE whose subquery reads the table it deletes from.
        long newestDropped;
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM evicted_nar_files ORDER BY id DESC LIMIT 1 OFFSET " + maxRows);
             ResultSet rows = s.executeQuery()) {
            if (!rows.next()) return pruned;
            newestDropped = rows.getLong(1);
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM evicted_nar_files WHERE id <= ?")) {
            s.setLong(1, newestDropped);
            return pruned + s.executeUpdate();
        }
    }

    /** A narinfo LRU may delete, and the NAR file its URL names (null when the URL is not of ncps's form). */
    private record Candidate(String hash, NarFileKey nar) {}

    /** One batch's work on its own copy of the run's state. */
    private final class Batch {
        private final Connection c;
        private final List<NarFileEntry> freed = new ArrayList<>();
        private final List<String> sideObjects = new ArrayList<>();
        private long total;
        private Instant cursorTime;
        private long cursorId;

        Batch(Connection c, long total, Instant cursorTime, long cursorId) {
            this.c = c;
            this.total = total;
            this.cursorTime = cursorTime;
            this.cursorId = cursorId;
        }

        /** The next narinfos after the cursor, oldest access first (id breaks ties so the order is total). */
        private Map<Long, Candidate> nextCandidates() throws SQLException {
            Map<Long, Candidate> batch = new LinkedHashMap<>();
            try (PreparedStatement s = c.prepareStatement(candidatesSql(cursorTime != null))) {
                if (cursorTime != null) {
                    dialect.setInstant(s, 1, cursorTime);
                    dialect.setInstant(s, 2, cursorTime);
                    s.setLong(3, cursorId);
                }
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        cursorId = rows.getLong("id");
                        cursorTime = dialect.getInstant(rows, "last_accessed_at");
                        batch.put(cursorId, new Candidate(rows.getString("hash"), narFileKey(rows)));
                    }
                }
            }
            return batch;
        }

        private record LinkedFile(long id, NarFileEntry entry) {}

        private NarFileKey narFileKey(ResultSet rows) throws SQLException {
            String hash = rows.getString("nar_file_hash");
            String compression = rows.getString("nar_file_compression");
            if (hash == null || compression == null) return null;
            try {
                return new NarFileKey(hash, Compression.fromNixName(compression));
            } catch (NixParseException e) {
                return null;
            }
        }

        /** @param chosen the narinfos to evict, oldest first, by id */
        private void evictFrom(Map<Long, Candidate> chosen, Totals totals) throws SQLException {
            List<Long> ids = new ArrayList<>(chosen.keySet());
            Map<Long, List<LinkedFile>> filesOf = new HashMap<>();
            Map<Long, Integer> links = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(linkedFilesSql(ids.size()))) {
                bindIds(s, ids);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        LinkedFile file = new LinkedFile(rows.getLong(2), entry(rows));
                        filesOf.computeIfAbsent(rows.getLong(1), k -> new ArrayList<>()).add(file);
                        links.put(file.id(), rows.getInt("links"));
                    }
                }
            }
            Map<Long, Map<String, Long>> sidesOf = sideObjectsOf(ids);
            List<Long> doomed = new ArrayList<>();
            Map<Long, NarFileEntry> orphaned = new LinkedHashMap<>();
            Map<NarFileKey, String> named = new LinkedHashMap<>();
            for (long narInfoId : ids) {
                if (total <= maxBytes) break;
                doomed.add(narInfoId);
                Candidate candidate = chosen.get(narInfoId);
                if (candidate.nar() != null) named.put(candidate.nar(), candidate.hash());
                for (Map.Entry<String, Long> side : sidesOf.getOrDefault(narInfoId, Map.of()).entrySet()) {
                    sideObjects.add(side.getKey());
                    total -= side.getValue();
                    totals.sideObjects(-side.getValue());
                }
                for (LinkedFile file : filesOf.getOrDefault(narInfoId, List.of())) {
                    if (links.merge(file.id(), -1, Integer::sum) == 0) {
                        orphaned.put(file.id(), file.entry());
                        total -= file.entry().fileSize();
                    }
                }
            }
            totals.narInfos(-deleteByIds(deleteNarInfosSql(doomed.size()), doomed));
            recordEvicted(named);
            if (orphaned.isEmpty()) return;
            List<Long> orphanIds = new ArrayList<>(orphaned.keySet());
            deleteByIds(deleteOrphansSql(orphanIds.size()), orphanIds);
            Set<Long> survivors = stillPresent(orphanIds);
            orphaned.forEach((id, entry) -> {
                if (survivors.contains(id)) {
                    total += entry.fileSize();
                } else {
                    freed.add(entry);
                    totals.narFile(-1, -entry.fileSize());
                }
            });
        }

        /**
         * Replaces any earlier record of the same NAR file (evicted before, fetched again, evicted again); of two
         * narinfos naming one NAR the later deleted is kept, either leads to it.
         */
        private void recordEvicted(Map<NarFileKey, String> named) throws SQLException {
            if (named.isEmpty()) return;
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM evicted_nar_files WHERE hash = ? AND compression = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO evicted_nar_files (hash, compression, narinfo_hash, evicted_at) "
                         + "VALUES (?, ?, ?, ?)")) {
                for (Map.Entry<NarFileKey, String> record : named.entrySet()) {
                    NarFileKey key = record.getKey();
                    delete.setString(1, key.narHash());
                    delete.setString(2, key.compression().nixName());
                    delete.addBatch();
                    insert.setString(1, key.narHash());
                    insert.setString(2, key.compression().nixName());
                    insert.setString(3, record.getValue());
                    dialect.setInstant(insert, 4, now);
                    insert.addBatch();
                }
                delete.executeBatch();
                insert.executeBatch();
            }
        }

        /** Side object keys and sizes by narinfo id; their rows go with the narinfo (ON DELETE CASCADE). */
        private Map<Long, Map<String, Long>> sideObjectsOf(List<Long> narInfoIds) throws SQLException {
            Map<Long, Map<String, Long>> sides = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(sideObjectsSql(narInfoIds.size()))) {
                bindIds(s, narInfoIds);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        sides.computeIfAbsent(rows.getLong(1), k -> new LinkedHashMap<>()).put(rows.getString(2), rows.getLong(3));
                    }
                }
            }
            return sides;
        }

        private NarFileEntry entry(ResultSet rows) throws SQLException {
            try {
                return new NarFileEntry(new NarFileKey(rows.getString("hash"), Compression.fromNixName(rows.getString("compression"))),
                        rows.getLong("file_size"), dialect.getInstant(rows, "last_accessed_at"));
            } catch (NixParseException e) {
                throw new SQLException("nar_files row " + rows.getString("hash") + " has an unknown compression", e);
            }
        }

        /** @return the rows deleted */
        private int deleteByIds(String sql, List<Long> ids) throws SQLException {
            if (ids.isEmpty()) return 0;
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bindIds(s, ids);
                return s.executeUpdate();
            }
        }

        private Set<Long> stillPresent(List<Long> ids) throws SQLException {
            Set<Long> present = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement(presentSql(ids.size()))) {
                bindIds(s, ids);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) present.add(rows.getLong(1));
                }
            }
            return present;
        }
    }

    // The statements of a run, one per step, each answered from an index so that a batch reads its own rows and
    // a bounded number of others whatever the size of the cache (EvictionPlanTest checks their plans on every dialect).

    /**
     * The next {@link #BATCH} candidates, after the cursor ({@code last_accessed_at}, {@code id}) when {@code after}.
     * The cursor's lower bound is stated on its own ({@code last_accessed_at >= ?}) so that every planner starts the
     * index range there instead of at the oldest row: deleted rows before it would otherwise be walked again by
     * every batch (PostgreSQL keeps their index entries until VACUUM). Pinned paths are left out by an anti-join that
     * looks each candidate up in pinned_paths: MariaDB plans {@code NOT EXISTS} by reading every pinned path per batch.
     */
    static String candidatesSql(boolean after) {
        return "SELECT n.id, n.hash, n.nar_file_hash, n.nar_file_compression, n.last_accessed_at FROM narinfos n "
                + "LEFT JOIN pinned_paths p ON p.hash = n.hash WHERE "
                + (after ? "n.last_accessed_at >= ? AND (n.last_accessed_at > ? OR n.id > ?) AND " : "")
                + "p.hash IS NULL ORDER BY n.last_accessed_at, n.id LIMIT " + BATCH;
    }

    /** The NAR files linked to {@code ids} narinfos, each with its number of links. */
    static String linkedFilesSql(int ids) {
        return """
                SELECT l.narinfo_id, f.id, f.hash, f.compression, f.file_size, f.last_accessed_at,
                       (SELECT COUNT(*) FROM narinfo_nar_files l2 WHERE l2.nar_file_id = f.id) AS links
                FROM narinfo_nar_files l JOIN nar_files f ON f.id = l.nar_file_id
                WHERE l.narinfo_id IN (""" + JdbcIndex.placeholders(ids) + ")";
    }

    static String sideObjectsSql(int ids) {
        return "SELECT narinfo_id, object_key, size FROM side_objects WHERE narinfo_id IN (" + JdbcIndex.placeholders(ids) + ")";
    }

    static String deleteNarInfosSql(int ids) {
        return "DELETE FROM narinfos WHERE id IN (" + JdbcIndex.placeholders(ids) + ")";
    }

    static String deleteOrphansSql(int ids) {
        return "DELETE FROM nar_files WHERE id IN (" + JdbcIndex.placeholders(ids) + ")"
                + " AND NOT EXISTS (SELECT 1 FROM narinfo_nar_files l WHERE l.nar_file_id = nar_files.id)";
    }

    static String presentSql(int ids) {
        return "SELECT id FROM nar_files WHERE id IN (" + JdbcIndex.placeholders(ids) + ")";
    }

    private static void bindIds(PreparedStatement s, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) s.setLong(i + 1, ids.get(i));
    }
}
