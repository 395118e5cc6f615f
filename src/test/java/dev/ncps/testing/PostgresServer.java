package dev.ncps.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ncps.index.PostgresUnixSocketFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;

/**
 * PostgreSQL for tests through zonky's embedded binaries, which (unlike Debian's postgres) run as root. It
 * listens on loopback and hands out fresh databases, each owned by its own password user.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path dataDir;
    private final int port;
    private final boolean socketOnly;
    private final AtomicInteger sequence = new AtomicInteger();
    private EmbeddedPostgres postgres;

    private PostgresServer(Path dataDir, int port, boolean socketOnly) {
        this.dataDir = dataDir;
        this.port = port;
        this.socketOnly = socketOnly;
        this.postgres = launch();
    }

    public static PostgresServer start() {
        return new PostgresServer(TestDirs.newWorkDir("postgres"), Processes.freePort(), false);
    }

    /**
     * A server that does not listen on TCP at all, only on its Unix socket in {@link #socketDirectory()}; its
     * databases come with {@link SqlDatabase#socket()} set. The port only names the socket file.
     */
    public static PostgresServer startSocketOnly() {
        return new PostgresServer(TestDirs.newWorkDir("postgres"), Processes.freePort(), true);
    }

    /** The directory of the socket {@code .s.PGSQL.<port>} (the data directory). */
    public Path socketDirectory() {
        return dataDir;
    }

    /** The data folder is kept across {@link #restart()}s and removed by {@link #close()}. */
    private EmbeddedPostgres launch() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", Processes.LOOPBACK)
                    .setServerConfig("unix_socket_directories", dataDir.toString())
                    .setServerConfig("fsync", "off")
                    .setServerConfig("max_connections", "200");
            if (!socketOnly) {
                return builder.start();
            }
            // zonky hands out admin connections over JDBC: through the socket too
            EmbeddedPostgres started = builder
                    .setConnectConfig("socketFactory", PostgresUnixSocketFactory.class.getName())
                    .setConnectConfig("socketFactoryArg", dataDir.resolve(".s.PGSQL." + port).toString())
                    .start();
            closeTcp(started);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /**
     * Restarts the server with {@code listen_addresses} empty. zonky probes the TCP port before it reports the
     * server started, so it cannot start one without TCP; its {@code pg_ctl} can restart it so.
     */
    private void closeTcp(EmbeddedPostgres started) throws IOException {
        Path pgCtl;
        try {
            Field pgDir = EmbeddedPostgres.class.getDeclaredField("pgDir");
            pgDir.setAccessible(true);
            pgCtl = ((File) pgDir.get(started)).toPath().resolve("bin/pg_ctl");
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot find zonky's pg_ctl", e);
        }
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            command.addAll(List.of("unshare", "-U")); // as zonky does: pg_ctl refuses to run as root
        }
        command.addAll(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("postgres.log").toString(), "-w", "-m", "fast", "-o",
                        "-p " + port + " -c listen_addresses= -c unix_socket_directories=" + dataDir
                                + " -c fsync=off -c max_connections=200", "restart"));
        Processes.run("pg_ctl", command, Map.of(), dataDir, Duration.ofSeconds(60)).requireSuccess("pg_ctl restart without TCP");
    }

    /**
     * Stops the server (a fast shutdown: every client connection is cut) and starts it again on the same port and
     * data, as an operator's restart or a fail-over does to the clients.
     */
    public synchronized void restart() {
        stop();
        postgres = launch();
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
        SqlDatabase db = newDatabase(n);
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
        SqlDatabase db = newDatabase(n);
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

    private SqlDatabase newDatabase(int n) {
        SqlDatabase db = new SqlDatabase("postgresql", "postgresql", Processes.LOOPBACK, port(), "ncps_test_" + n,
                "ncps_user_" + n, "secret-" + n);
        return socketOnly ? db.viaSocket(socketDirectory()) : db;
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
