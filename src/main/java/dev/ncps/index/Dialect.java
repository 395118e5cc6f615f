package dev.ncps.index;

import com.zaxxer.hikari.HikariConfig;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The SQL engines the index runs on. Everything that differs between them lives here: identifier
 * quoting, how a timestamp is bound and read, and which errors are worth retrying.
 *
 * <p>Timestamps are stored with microsecond precision in UTC (PostgreSQL {@code timestamptz},
 * MySQL {@code datetime(6)}, SQLite fixed-width text that sorts chronologically).
 */
public enum Dialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql"),
    /** MySQL 8 and MariaDB 10.6+, both through the MariaDB driver. */
    MYSQL("mysql");

    private static final DateTimeFormatter SQLITE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private final String migrationFolder;

    Dialect(String migrationFolder) {
        this.migrationFolder = migrationFolder;
    }

    String migrationLocation() {
        return "classpath:db/migration/" + migrationFolder;
    }

    /** Our statements quote identifiers ANSI-style ({@code "key"}); MySQL wants backticks. */
    String sql(String ansiSql) {
        return this == MYSQL ? ansiSql.replace('"', '`') : ansiSql;
    }

    /** Row locks for read-then-write transactions; SQLite locks the whole database on the first write anyway. */
    String forUpdate() {
        return this == SQLITE ? "" : " FOR UPDATE";
    }

    /** A bind parameter holding a timestamp where the engine cannot infer its type (inside CASE). */
    String timestampParameter() {
        return this == POSTGRESQL ? "CAST(? AS timestamptz)" : "?";
    }

    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, this == SQLITE ? Types.VARCHAR : Types.TIMESTAMP);
            return;
        }
        Instant value = truncate(instant);
        switch (this) {
            case SQLITE -> statement.setString(index, SQLITE_TIME.format(LocalDateTime.ofInstant(value, ZoneOffset.UTC)));
            case POSTGRESQL -> statement.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
            case MYSQL -> statement.setObject(index, LocalDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }

    Instant getInstant(ResultSet rows, String column) throws SQLException {
        return switch (this) {
            case SQLITE -> {
                String text = rows.getString(column);
                yield text == null ? null : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            }
            case POSTGRESQL -> {
                OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
                yield time == null ? null : time.toInstant();
            }
            case MYSQL -> {
                LocalDateTime time = rows.getObject(column, LocalDateTime.class);
                yield time == null ? null : time.toInstant(ZoneOffset.UTC);
            }
        };
    }

    /**
     * Makes the pool's statements fail after {@code timeout} without an answer from the server (the drivers'
     * {@code socketTimeout}: seconds for PostgreSQL, milliseconds for MariaDB), unless the URL sets its own. A query
     * timeout is no substitute: cancelling needs a server that still acts on what it is sent.
     */
    public void limitNetworkWait(HikariConfig pool, Duration timeout) {
        if (this == SQLITE || pool.getJdbcUrl().contains("socketTimeout=")) return;
        long millis = timeout.toMillis();
        pool.addDataSourceProperty("socketTimeout", Long.toString(this == POSTGRESQL ? Math.ceilDiv(millis, 1000) : millis));
    }

    /** Lock conflicts that a fresh attempt of the whole transaction can succeed after. */
    boolean isTransient(SQLException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && isTransientCode(e)) return true;
        }
        return false;
    }

    /** A unique constraint refused a row another transaction inserted first; retrying turns the insert into an update. */
    boolean isDuplicateKey(SQLException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && isDuplicateCode(e)) return true;
        }
        return false;
    }

    /**
     * The connection itself is spoilt and must not be reused, even though the server or file is fine again:
     * SQLite opens a file it cannot write (made read-only or immutable, permissions changed) read-only, and the
     * connection stays read-only after the file is writable again; an I/O error leaves its state unknown. The
     * server dialects need nothing here: HikariCP already discards their connections on connection-class
     * SQL states (08xxx, admin shutdown).
     */
    boolean spoilsConnection(SQLException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            // SQLITE_READONLY = 8, SQLITE_IOERR = 10, SQLITE_CANTOPEN = 14
            if (this == SQLITE && t instanceof SQLException e && switch (e.getErrorCode() & 0xff) {
                case 8, 10, 14 -> true;
                default -> false;
            }) return true;
        }
        return false;
    }

    private boolean isTransientCode(SQLException e) {
        return switch (this) {
            // xerial reports the primary result code: SQLITE_BUSY = 5, SQLITE_LOCKED = 6.
            case SQLITE -> (e.getErrorCode() & 0xff) == 5 || (e.getErrorCode() & 0xff) == 6;
            case POSTGRESQL -> "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
            // 1213 deadlock, 1205 lock wait timeout
            case MYSQL -> e.getErrorCode() == 1213 || e.getErrorCode() == 1205 || "40001".equals(e.getSQLState());
        };
    }

    private boolean isDuplicateCode(SQLException e) {
        return switch (this) {
            // SQLITE_CONSTRAINT = 19; the message names the UNIQUE or PRIMARYKEY variant
            case SQLITE -> (e.getErrorCode() & 0xff) == 19 && String.valueOf(e.getMessage()).contains("UNIQUE");
            case POSTGRESQL -> "23505".equals(e.getSQLState());
            case MYSQL -> e.getErrorCode() == 1062;
        };
    }
}
