package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final EmbeddedPostgres postgres;
    private final AtomicInteger sequence = new AtomicInteger();

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static PostgresServer start() {
        try {
            return new PostgresServer(EmbeddedPostgres.builder()
                    .setPort(Processes.freePort())
                    .setServerConfig("listen_addresses", Processes.LOOPBACK)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "200")
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** A new empty database owned by a new user with a password. */
    public SqlDatabase createDatabase() {
        int n = sequence.incrementAndGet();
        SqlDatabase db = new SqlDatabase("postgresql", "postgresql", Processes.LOOPBACK, port(), "ncps_test_" + n,
                "ncps_user_" + n, "secret-" + n);
        try (Connection admin = postgres.getPostgresDatabase().getConnection();
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE ROLE " + db.user() + " LOGIN PASSWORD '" + db.password() + "'");
            sql.execute("CREATE DATABASE " + db.name() + " OWNER " + db.user());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + db.name(), e);
        }
        return db;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        }
    }
}
