package dev.ncps.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's mariadbd as a process: a private data directory, a loopback port and a private socket. Root logs in
 * over the socket (unix_socket auth, we run as root) to create databases; tests get password users over TCP.
 * {@link #stop()} and {@link #start()} keep the data and the port, to simulate an outage.
 */
public final class MariaDbServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final int port;
    private final Path workDir;
    private final boolean socketOnly;
    private final AtomicInteger sequence = new AtomicInteger();
    private RunningProcess process;

    private MariaDbServer(int port, Path workDir, boolean socketOnly) {
        this.port = port;
        this.workDir = workDir;
        this.socketOnly = socketOnly;
    }

    public static MariaDbServer start(String name) {
        return start(name, false);
    }

    /** A server without networking, reachable only on its socket; its databases come with the socket set. */
    public static MariaDbServer startSocketOnly(String name) {
        return start(name, true);
    }

    private static MariaDbServer start(String name, boolean socketOnly) {
        Installer.ensure("mariadb");
        MariaDbServer server = new MariaDbServer(Processes.freePort(), TestDirs.newWorkDir("mariadb-" + name), socketOnly);
        server.install();
        server.start();
        return server;
    }

    private void install() {
        Processes.run("mariadb-install-db", List.of("mariadb-install-db", "--no-defaults", "--user=root",
                        "--datadir=" + dataDir(), "--auth-root-authentication-method=socket", "--skip-test-db"),
                Map.of(), workDir, STARTUP).requireSuccess("mariadb-install-db into " + dataDir());
    }

    /** (Re)starts the server on its port with its data; a no-op while it runs. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        // mariadbd refuses to run as root unless told to; we are root in CI and here.
        List<String> command = new ArrayList<>(List.of("mariadbd", "--no-defaults", "--user=root",
                "--datadir=" + dataDir(), "--socket=" + socket(), "--pid-file=" + workDir.resolve("mariadbd.pid"),
                "--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
                "--innodb-flush-log-at-trx-commit=0", "--max-connections=300"));
        command.addAll(socketOnly ? List.of("--skip-networking")
                : List.of("--port=" + port, "--bind-address=" + Processes.LOOPBACK));
        process = Processes.start("mariadb-" + port, command, Map.of(), workDir);
        RunningProcess started = process;
        started.awaitReady(() -> {
            if (!socketOnly) {
                Processes.awaitPort(port, STARTUP, started);
            }
            Processes.await("the socket " + socket(), STARTUP, started, () -> Files.exists(socket()));
        });
    }

    public synchronized void stop() {
        if (process != null) {
            process.terminate(Duration.ofSeconds(30));
        }
    }

    /** Kills mariadbd with SIGKILL, like a crash; InnoDB recovers on the next start. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    /** A new empty database with its own user, reachable over TCP with a password. */
    public SqlDatabase createDatabase() {
        int n = sequence.incrementAndGet();
        SqlDatabase tcp = new SqlDatabase("mysql", "mariadb", Processes.LOOPBACK, port, "ncps_test_" + n,
                "ncps_user_" + n, "secret-" + n);
        SqlDatabase db = socketOnly ? tcp.viaSocket(socket()) : tcp;
        execAsRoot("CREATE DATABASE " + db.name() + "; "
                + "CREATE USER '" + db.user() + "'@'%' IDENTIFIED BY '" + db.password() + "'; "
                + "GRANT ALL PRIVILEGES ON " + db.name() + ".* TO '" + db.user() + "'@'%';");
        return db;
    }

    /** Runs SQL as root over the private socket with the mariadb client. */
    public void execAsRoot(String sql) {
        Processes.run("mariadb-client", List.of("mariadb", "--no-defaults", "--socket=" + socket(), "-u", "root",
                "-e", sql), Map.of(), workDir, Duration.ofSeconds(30)).requireSuccess("mariadb -e " + sql);
    }

    @Override
    public synchronized void close() {
        stop();
        TestDirs.deleteTree(workDir);
    }

    private Path dataDir() {
        return workDir.resolve("data");
    }

    private Path socket() {
        return workDir.resolve("mariadb.sock");
    }
}
