package dev.ncps.index;

import dev.ncps.index.Index.PinCounts;
import dev.ncps.index.Index.PinState;
import dev.ncps.index.Index.PinStatus;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The statements behind pins ({@code pinned_closures} and {@code pinned_paths}, migration V3), each run inside a
 * transaction {@link JdbcIndex} opens. A pin's paths are written before they are fetched, so LRU, which skips every
 * narinfo listed in {@code pinned_paths}, can never remove one between its fetch and its listing.
 */
final class PinRows {
    private static final String STATUS = """
            SELECT p.hash, p.state, p.fetched, p.error, p.created_at,
                   (SELECT COUNT(*) FROM pinned_paths pp WHERE pp.pin_id = p.id) AS paths
            FROM pinned_closures p""";

    private final Dialect dialect;

    PinRows(Dialect dialect) {
        this.dialect = dialect;
    }

    /** Creates the pin with its root as the first path, or sets a failed one walking again. */
    PinStatus pin(Connection c, String hash, Instant now) throws SQLException {
        Optional<Long> id = idOf(c, hash, true);
        if (id.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO pinned_closures (hash, state, fetched, created_at) VALUES (?, ?, 0, ?)")) {
                s.setString(1, hash);
                s.setString(2, PinState.WALKING.dbName());
                dialect.setInstant(s, 3, now);
                s.executeUpdate();
            }
            insertPaths(c, idOf(c, hash, false).orElseThrow(), List.of(hash));
        } else if (status(c, hash).orElseThrow().state() == PinState.FAILED) {
            update(c, hash, 0, PinState.WALKING, null, now);
        }
        return status(c, hash).orElseThrow();
    }

    boolean unpin(Connection c, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM pinned_closures WHERE hash = ?")) {
            s.setString(1, hash);
            return s.executeUpdate() > 0;
        }
    }

    Optional<PinStatus> status(Connection c, String hash) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(STATUS + " WHERE p.hash = ?")) {
            s.setString(1, hash);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(status(rows)) : Optional.empty();
            }
        }
    }

    List<PinStatus> all(Connection c) throws SQLException {
        List<PinStatus> pins = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(STATUS + " ORDER BY p.hash"); ResultSet rows = s.executeQuery()) {
            while (rows.next()) pins.add(status(rows));
        }
        return pins;
    }

    /** Lists paths of the root's closure (those already listed are left); false when the root is not pinned (any more). */
    boolean addPaths(Connection c, String root, Collection<String> hashes) throws SQLException {
        Optional<Long> id = idOf(c, root, true);
        if (id.isEmpty()) return false;
        Set<String> missing = new HashSet<>(hashes);
        for (List<String> batch : JdbcIndex.batches(List.copyOf(hashes))) {
            try (PreparedStatement s = c.prepareStatement("SELECT hash FROM pinned_paths WHERE pin_id = ? AND hash IN ("
                    + JdbcIndex.placeholders(batch.size()) + ")")) {
                s.setLong(1, id.get());
                for (int i = 0; i < batch.size(); i++) s.setString(i + 2, batch.get(i));
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) missing.remove(rows.getString(1));
                }
            }
        }
        insertPaths(c, id.get(), missing);
        return true;
    }

    /** Records a walk's progress; false when the root is not pinned (any more). */
    boolean update(Connection c, String root, long fetched, PinState state, String error, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE pinned_closures SET fetched = ?, state = ?, error = ?, updated_at = ? WHERE hash = ?")) {
            s.setLong(1, fetched);
            s.setString(2, state.dbName());
            s.setString(3, error);
            dialect.setInstant(s, 4, now);
            s.setString(5, root);
            return s.executeUpdate() > 0;
        }
    }

    PinCounts counts(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT (SELECT COUNT(*) FROM pinned_closures), (SELECT COUNT(DISTINCT hash) FROM pinned_paths)");
             ResultSet rows = s.executeQuery()) {
            rows.next();
            return new PinCounts(rows.getLong(1), rows.getLong(2));
        }
    }

    private Optional<Long> idOf(Connection c, String hash, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM pinned_closures WHERE hash = ?"
                + (lock ? dialect.forUpdate() : ""))) {
            s.setString(1, hash);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private static void insertPaths(Connection c, long pinId, Collection<String> hashes) throws SQLException {
        if (hashes.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO pinned_paths (pin_id, hash) VALUES (?, ?)")) {
            for (String hash : hashes) {
                s.setLong(1, pinId);
                s.setString(2, hash);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private PinStatus status(ResultSet rows) throws SQLException {
        return new PinStatus(rows.getString("hash"), PinState.fromDbName(rows.getString("state")), rows.getLong("paths"),
                rows.getLong("fetched"), rows.getString("error"), dialect.getInstant(rows, "created_at"));
    }
}
