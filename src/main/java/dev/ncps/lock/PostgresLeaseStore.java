package dev.ncps.lock;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Leases as rows of {@code ncps_locks}. Every statement is a single conditional write in autocommit,
 * so PostgreSQL's row locking makes it atomic; expiry is compared with the database's {@code now()},
 * so the instances' clocks do not have to agree.
 */
final class PostgresLeaseStore implements LeaseStore {
    static final String TABLE = "ncps_locks";
    /** A lock operation stuck longer than this is an outage, not a wait. */
    private static final int QUERY_TIMEOUT_SECONDS = 5;
    /** Serialises CREATE TABLE IF NOT EXISTS of instances starting together (it races on pg_type otherwise). */
    private static final long SCHEMA_LOCK_ID = 0x6e637073_6c6f636bL; // "ncpslock"

    private static final String EXPIRY = "now() + ? * interval '1 millisecond'";
    private static final String INSERT = "INSERT INTO " + TABLE + " (lock_key, token, holder, expires_at)"
            + " VALUES (?, ?, ?, " + EXPIRY + ")"
            + " ON CONFLICT (lock_key) DO UPDATE SET token = EXCLUDED.token, holder = EXCLUDED.holder,"
            + " expires_at = EXCLUDED.expires_at WHERE " + TABLE + ".expires_at <= now()";
    private static final String EXTEND = "UPDATE " + TABLE + " SET expires_at = " + EXPIRY
            + " WHERE lock_key = ? AND token = ? AND expires_at > now()";
    private static final String DELETE = "DELETE FROM " + TABLE + " WHERE lock_key = ? AND token = ?";
    private static final String VALUE = "SELECT holder FROM " + TABLE + " WHERE lock_key = ? AND expires_at > now()";
    private static final String REPLACE = "UPDATE " + TABLE + " SET token = ?, holder = ?, expires_at = " + EXPIRY
            + " WHERE lock_key = ? AND holder = ? AND expires_at > now()";

    private final DataSource dataSource;

    PostgresLeaseStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the table if needed and drops leases that expired long ago (dead holders never delete theirs). */
    void prepare() throws LockException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (var s = c.createStatement()) {
                s.setQueryTimeout(QUERY_TIMEOUT_SECONDS * 6);
                s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK_ID + ")");
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                        + "lock_key text PRIMARY KEY, token text NOT NULL, holder text NOT NULL,"
                        + " expires_at timestamptz NOT NULL)");
                s.execute("DELETE FROM " + TABLE + " WHERE expires_at < now() - interval '1 day'");
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw error("create table " + TABLE + " for", "locks", e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private int update(String what, String key, String sql, Binder binder) throws LockException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            binder.bind(s);
            return s.executeUpdate();
        } catch (SQLException e) {
            throw error(what, key, e);
        }
    }

    private static LockException error(String what, String key, SQLException e) {
        // 57014 = query_canceled, which is how PostgreSQL reports a statement timeout; a server that stopped
        // answering ends in the pool's socket timeout instead.
        boolean timeout = e instanceof SQLTimeoutException || "57014".equals(e.getSQLState())
                || LockException.causedByTimeout(e);
        return new LockException(timeout ? LockException.Reason.TIMEOUT : LockException.Reason.DATABASE_ERROR,
                "database failed to " + what + " lock " + key + ": " + e.getMessage(), e);
    }

    @Override
    public boolean insert(String key, String token, String value, Duration ttl) throws LockException {
        return update("acquire", key, INSERT, s -> {
            s.setString(1, key);
            s.setString(2, token);
            s.setString(3, value);
            s.setLong(4, ttl.toMillis());
        }) == 1;
    }

    @Override
    public boolean extend(String key, String token, Duration ttl) throws LockException {
        return update("renew", key, EXTEND, s -> {
            s.setLong(1, ttl.toMillis());
            s.setString(2, key);
            s.setString(3, token);
        }) == 1;
    }

    @Override
    public boolean delete(String key, String token) throws LockException {
        return update("release", key, DELETE, s -> {
            s.setString(1, key);
            s.setString(2, token);
        }) == 1;
    }

    @Override
    public Optional<String> value(String key) throws LockException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(VALUE)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, key);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw error("read", key, e);
        }
    }

    @Override
    public boolean replace(String key, String deadValue, String token, String value, Duration ttl) throws LockException {
        return update("take over", key, REPLACE, s -> {
            s.setString(1, token);
            s.setString(2, value);
            s.setLong(3, ttl.toMillis());
            s.setString(4, key);
            s.setString(5, deadValue);
        }) == 1;
    }

    @Override
    public String metricsMode() {
        return "distributed";
    }

    @Override
    public void close() {
        // The data source belongs to the caller (it is the index's pool).
    }
}
