package dev.ncps.lock;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Leases in a PostgreSQL table ({@code cache.lock.backend: postgres}), so a cluster can run on PostgreSQL
 * and S3 alone. Same TTL semantics as Redis, timed by the database clock; see docs/design/locks.md for
 * the trade-offs against Redis. The data source stays the caller's: closing these locks does not close it.
 */
public final class PostgresLocks extends LeaseLocks {
    private final PostgresLeaseStore store;

    public PostgresLocks(DataSource dataSource, LockSettings settings, LockListener listener) throws LockException {
        this(dataSource, settings, listener, Timing.SYSTEM);
    }

    PostgresLocks(DataSource dataSource, LockSettings settings, LockListener listener, Timing timing) throws LockException {
        super(settings, listener, timing);
        requirePostgres(dataSource);
        this.store = new PostgresLeaseStore(dataSource);
        store.prepare();
    }

    private static void requirePostgres(DataSource dataSource) throws LockException {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new LockException(LockException.Reason.DATABASE_ERROR,
                    "cache.lock.backend postgres: cannot connect to the database: " + e.getMessage(), e);
        }
        if (!"PostgreSQL".equals(product)) {
            throw new IllegalArgumentException("cache.lock.backend: postgres needs cache.database-url to be a"
                    + " PostgreSQL database, but it is " + product + " (use redis or local)");
        }
    }

    @Override
    LeaseStore route() {
        return store;
    }

    @Override
    public String mode() {
        return "postgres";
    }

    @Override
    public void close() {
        store.close();
    }
}
