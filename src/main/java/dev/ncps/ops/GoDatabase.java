package dev.ncps.ops;

import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Dialect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A database of the Go ncps, read with plain SQL and never written: SQLite is opened read-only, the
 * servers get read-only sessions. Tables and columns are addressed by name, since a database upgraded
 * through every Go migration and one created fresh differ in column order and extra indexes.
 */
final class GoDatabase implements AutoCloseable {
    /** The goose version that added narinfos.upstream_url, the newest column read here. */
    static final long OLDEST_SUPPORTED_VERSION = 20260607034027L;
    /** SQLite text timestamps: {@code 2026-06-01 12:34:56[.fffffffff][+00:00]} (app) or without fraction/offset (defaults). */
    private static final DateTimeFormatter SQLITE_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .optionalEnd().optionalStart().appendOffset("+HH:MM", "Z").optionalEnd().toFormatter();

    private final Dialect dialect;
    private final Connection connection;

    private GoDatabase(Dialect dialect, Connection connection) {
        this.dialect = dialect;
        this.connection = connection;
    }

    static GoDatabase open(DatabaseUrl url) throws SQLException {
        Properties properties = new Properties();
        url.user().ifPresent(user -> properties.setProperty("user", user));
        url.password().ifPresent(password -> properties.setProperty("password", password));
        if (url.dialect() == Dialect.SQLITE) {
            properties.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        }
        Connection connection = DriverManager.getConnection(url.jdbcUrl(), properties);
        try {
            if (url.dialect() != Dialect.SQLITE) connection.setReadOnly(true);
            if (url.dialect() == Dialect.MYSQL) {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET time_zone = '+00:00'"); // a session setting: Go wrote UTC
                }
            }
            return new GoDatabase(url.dialect(), connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The goose schema version, or a reason this is not a Go ncps database ncps-java can read. */
    long schemaVersion() throws SQLException, NotGoException {
        try (Statement s = connection.createStatement();
             ResultSet rows = s.executeQuery("SELECT MAX(version_id) FROM schema_migrations WHERE is_applied = "
                     + (dialect == Dialect.POSTGRESQL ? "true" : "1"))) {
            rows.next();
            long version = rows.getLong(1);
            if (version < OLDEST_SUPPORTED_VERSION) {
                throw new NotGoException("the Go ncps database is at schema version " + version + ", older than "
                        + OLDEST_SUPPORTED_VERSION + "; run the Go 'ncps migrate up' (v0.10 or later) on it first");
            }
            return version;
        } catch (SQLException e) {
            throw new NotGoException("no goose schema_migrations table with version_id and is_applied (" + e.getMessage()
                    + "): not a database of the Go ncps v0.10+; a v0.9 (dbmate) database needs the Go 'ncps migrate up' first");
        }
    }

    static final class NotGoException extends Exception {
        NotGoException(String message) {
            super(message);
        }
    }

    Optional<String> config(String key) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(quote("SELECT value FROM config WHERE \"key\" = ?"))) {
            s.setString(1, key);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
            }
        }
    }

    long count(String table) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    record Row(long id, String hash, String storePath, String url, String compression, String fileHash, Long fileSize,
               String narHash, Long narSize, String deriver, String system, String ca, Instant lastAccessed) {}

    record File(String hash, String compression, String query, long fileSize, long totalChunks, Instant lastAccessed) {}

    List<Row> narInfos(long afterId, int limit) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(quote("""
                SELECT id, hash, store_path, url, compression, file_hash, file_size, nar_hash, nar_size, deriver, "system", ca,
                       last_accessed_at
                FROM narinfos WHERE id > ? ORDER BY id""" + " LIMIT " + limit))) {
            s.setLong(1, afterId);
            try (ResultSet rows = s.executeQuery()) {
                List<Row> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(new Row(rows.getLong("id"), rows.getString("hash"), rows.getString("store_path"),
                            rows.getString("url"), rows.getString("compression"), rows.getString("file_hash"),
                            nullableLong(rows, "file_size"), rows.getString("nar_hash"),
                            nullableLong(rows, "nar_size"), rows.getString("deriver"), rows.getString("system"),
                            rows.getString("ca"), instant(rows, "last_accessed_at")));
                }
                return result;
            }
        }
    }

    List<String> references(long narInfoId) throws SQLException {
        return strings("SELECT reference FROM narinfo_references WHERE narinfo_id = ? ORDER BY id", narInfoId);
    }

    List<String> signatures(long narInfoId) throws SQLException {
        return strings("SELECT signature FROM narinfo_signatures WHERE narinfo_id = ? ORDER BY id", narInfoId);
    }

    List<File> narFiles(long narInfoId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                SELECT f.hash, f.compression, f.query, f.file_size, f.total_chunks, f.last_accessed_at
                FROM nar_files f JOIN narinfo_nar_files l ON l.nar_file_id = f.id WHERE l.narinfo_id = ? ORDER BY f.id""")) {
            s.setLong(1, narInfoId);
            try (ResultSet rows = s.executeQuery()) {
                List<File> result = new ArrayList<>();
                while (rows.next()) {
                    result.add(new File(rows.getString("hash"), rows.getString("compression"), rows.getString("query"),
                            rows.getLong("file_size"), rows.getLong("total_chunks"), instant(rows, "last_accessed_at")));
                }
                return result;
            }
        }
    }

    /** The hashes of the pinned roots (the Go ncps keeps only the roots; it computes closures when LRU runs). */
    List<String> pinnedRoots() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("SELECT hash FROM pinned_closures ORDER BY hash")) {
            List<String> result = new ArrayList<>();
            while (rows.next()) result.add(rows.getString(1));
            return result;
        }
    }

    private List<String> strings(String sql, long id) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setLong(1, id);
            try (ResultSet rows = s.executeQuery()) {
                List<String> result = new ArrayList<>();
                while (rows.next()) result.add(rows.getString(1));
                return result;
            }
        }
    }

    private static Long nullableLong(ResultSet rows, String column) throws SQLException {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
    }

    private Instant instant(ResultSet rows, String column) throws SQLException {
        return switch (dialect) {
            case SQLITE -> {
                String text = rows.getString(column);
                if (text == null) yield null;
                var parsed = SQLITE_TIME.parseBest(text.strip(), OffsetDateTime::from, LocalDateTime::from);
                yield parsed instanceof OffsetDateTime offset ? offset.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
            }
            case POSTGRESQL -> {
                OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
                yield value == null ? null : value.toInstant();
            }
            case MYSQL -> {
                LocalDateTime value = rows.getObject(column, LocalDateTime.class);
                yield value == null ? null : value.toInstant(ZoneOffset.UTC);
            }
        };
    }

    private String quote(String sql) {
        return dialect == Dialect.MYSQL ? sql.replace('"', '`') : sql;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
