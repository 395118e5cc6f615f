package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL for tests through zonky's embedded binaries, which (unlike Debian's postgres) run as root. It
 * listens on loopback and hands out fresh databases, each owned by its own password user.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final AtomicInteger sequence = new AtomicInteger();
    private EmbeddedPostgres postgres;

    private PostgresServer(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
        this.postgres = launch(dataDir, port);
    }

    public static PostgresServer start() {
        return new PostgresServer(TestDirs.newWorkDir("postgres"), Processes.freePort());
    }

    /** The data folder is kept across {@link #restart()}s and removed by {@link #close()}. */
    private static EmbeddedPostgres launch(Path dataDir, int port) {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", Processes.LOOPBACK)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /**
     * Stops the server (a fast shutdown: every client connection is cut) and starts it again on the same port and
     * data, as an operator's restart or a fail-over does to the clients.
     */
    public synchronized void restart() {
        stop();
        postgres = launch(dataDir, port);
    }

    public int port() {
        return port;
    }

    private synchronized javax.sql.DataSource postgresDatabase() {
        return postgres.getPostgresDatabase();
    }

    /** A new empty database owned by a new user with a password. */
    public SqlDatabase createDatabase() {
        int n = sequence.incrementAndGet();
        SqlDatabase db = new SqlDatabase("postgresql", "postgresql", Processes.LOOPBACK, port(), "ncps_test_" + n,
                "ncps_user_" + n, "secret-" + n);
        try (Connection admin = postgresDatabase().getConnection();
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + db.user() + " LOGIN PASSWORD '" + db.password() + "'");
            sql.execute("CREATE DATABASE " + db.name() + " OWNER " + db.user());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + db.name(), e);
        }
        return db;
    }

    /**
     * A new database owned by the administrator and a user that may log in to it but not create tables there (what
     * PostgreSQL 15 and later give a user who is not the owner, made explicit for older servers).
     */
    public SqlDatabase createDatabaseWithoutGrants() {
        int n = sequence.incrementAndGet();
        SqlDatabase db = new SqlDatabase("postgresql", "postgresql", Processes.LOOPBACK, port(), "ncps_test_" + n,
                "ncps_user_" + n, "secret-" + n);
        try (Connection admin = postgresDatabase().getConnection();
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + db.user() + " LOGIN PASSWORD '" + db.password() + "'");
            sql.execute("CREATE DATABASE " + db.name());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + db.name(), e);
        }
        try (Connection admin = database(db.name()).getConnection();
             Statement sql = admin.createStatement()) {
            sql.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke the grants in " + db.name(), e);
        }
        return db;
    }

    private synchronized javax.sql.DataSource database(String name) {
        return postgres.getDatabase("postgres", name);
    }

    @Override
    public synchronized void close() {
        stop();
        TestDirs.deleteTree(dataDir);
    }

    private void stop() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        }
    }
}
