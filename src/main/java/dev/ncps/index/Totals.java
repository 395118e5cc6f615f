package dev.ncps.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What one write transaction changes in the {@code cache_totals} row (migrations V5, V6): narinfos and NAR files
 * added or removed, the NAR bytes and the bytes of side objects. Collected while the transaction works and written by {@link #apply} as
 * its last statement, so the one row every writer updates is locked only from there to the commit and is
 * never held while the transaction waits for another lock (no deadlock through it on PostgreSQL or MySQL).
 */
final class Totals {
    private long narInfos;
    private long narFiles;
    private long bytes;
    private long sideObjectBytes;

    void narInfos(long delta) {
        narInfos += delta;
    }

    void narFile(long countDelta, long bytesDelta) {
        narFiles += countDelta;
        bytes += bytesDelta;
    }

    void sideObjects(long bytesDelta) {
        sideObjectBytes += bytesDelta;
    }

    void apply(Connection c) throws SQLException {
        if (narInfos == 0 && narFiles == 0 && bytes == 0 && sideObjectBytes == 0) return;
        try (PreparedStatement s = c.prepareStatement("UPDATE cache_totals SET narinfo_count = narinfo_count + ?, "
                + "nar_file_count = nar_file_count + ?, nar_file_bytes = nar_file_bytes + ?, "
                + "side_object_bytes = side_object_bytes + ? WHERE id = 1")) {
            s.setLong(1, narInfos);
            s.setLong(2, narFiles);
            s.setLong(3, bytes);
            s.setLong(4, sideObjectBytes);
            s.executeUpdate();
        }
    }

    static Index.Stats read(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT narinfo_count, nar_file_count, nar_file_bytes FROM cache_totals WHERE id = 1");
             ResultSet rows = s.executeQuery()) {
            if (!rows.next()) throw new SQLException("the cache_totals row is missing (migration V5 creates it)");
            return new Index.Stats(rows.getLong(1), rows.getLong(2), rows.getLong(3));
        }
    }

    /** The bytes of listings and logs kept with narinfos, which LRU counts with the NARs. */
    static long sideObjectBytes(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT side_object_bytes FROM cache_totals WHERE id = 1");
             ResultSet rows = s.executeQuery()) {
            if (!rows.next()) throw new SQLException("the cache_totals row is missing (migration V5 creates it)");
            return rows.getLong(1);
        }
    }
}
