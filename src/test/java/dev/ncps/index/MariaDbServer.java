package dev.ncps.index;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real MariaDB server (Debian's mariadb-server) in a temp data directory on a random port, with a
 * password-authenticated user {@code ncps}. Installed on demand through scripts/install-test-deps.sh.
 */
final class MariaDbServer implements AutoCloseable {
    static final String USER = "ncps";
    static final String PASSWORD = "ncps-test-pw";

    private final Path dir;
    private final Process process;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    MariaDbServer() throws Exception {
        ensureInstalled();
        dir = Files.createTempDirectory("ncps-mariadb-");
        Path data = dir.resolve("data");
        run(List.of("mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + data,
                "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        process = new ProcessBuilder("mariadbd", "--no-defaults", "--user=root", "--datadir=" + data,
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket(), "--pid-file=" + dir.resolve("pid"),
                "--innodb-buffer-pool-size=32M", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        try {
            awaitReady();
            try (Connection c = rootConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
                s.execute("GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%'");
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private static void ensureInstalled() throws Exception {
        Path script = Path.of(System.getProperty("ncps.repo.root", "."), "scripts/install-test-deps.sh");
        Process install = new ProcessBuilder(script.toString(), "mariadb").inheritIO().start();
        if (!install.waitFor(10, TimeUnit.MINUTES) || install.exitValue() != 0) {
            throw new IllegalStateException("scripts/install-test-deps.sh mariadb failed");
        }
    }

    private static void run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(log));
        }
    }

    Path socket() {
        return dir.resolve("mysqld.sock");
    }

    int port() {
        return port;
    }

    private Connection rootConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", "root", "");
    }

    private void awaitReady() throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            try (Connection ignored = rootConnection()) {
                return;
            } catch (SQLException e) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("mariadbd did not start:\n" + Files.readString(dir.resolve("server.log")), e);
                }
                Thread.sleep(100);
            }
        }
    }

    String createDatabase() throws SQLException {
        String name = "ncps_" + databases.incrementAndGet();
        try (Connection c = rootConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    IndexConfig freshDatabase() throws SQLException {
        return new IndexConfig(Dialect.MYSQL, "jdbc:mariadb://127.0.0.1:" + port + "/" + createDatabase(), USER, PASSWORD,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        TestNarInfos.deleteTree(dir);
    }
}
