package dev.ncps.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's redis-server as a process on a loopback port, without persistence. {@link #stop()} and
 * {@link #start()} bring it down and back on the same port, empty, to simulate an outage.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final int port;
    private final Path workDir;
    private RunningProcess process;

    private RedisServer(int port, Path workDir) {
        this.port = port;
        this.workDir = workDir;
    }

    /** Starts a fresh redis-server on a free port. */
    public static RedisServer start(String name) {
        Installer.ensure("redis");
        RedisServer server = new RedisServer(Processes.freePort(), TestDirs.newWorkDir("redis-" + name));
        server.start();
        return server;
    }

    /** (Re)starts the server on its port; a no-op while it runs. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process = Processes.start("redis-" + port, List.of("redis-server",
                "--port", Integer.toString(port), "--bind", Processes.LOOPBACK, "--save", "", "--appendonly", "no",
                "--dir", workDir.toString(), "--daemonize", "no", "--loglevel", "warning"), Map.of(), workDir);
        process.awaitReady(() -> Processes.awaitPort(port, STARTUP, process));
    }

    /** Stops the server gracefully (SIGTERM); the port stays reserved for {@link #start()}. */
    public synchronized void stop() {
        if (process != null) {
            process.terminate(Duration.ofSeconds(10));
        }
    }

    /** Kills the server with SIGKILL, like a crash. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
        }
    }

    /** Stops the process where it is ({@code SIGSTOP}), or lets it go on: connections stay open, nothing answers. */
    public synchronized void pause(boolean paused) {
        Processes.pause(paused, List.of(process.pid()));
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String host() {
        return Processes.LOOPBACK;
    }

    public int port() {
        return port;
    }

    /** The address as ncps takes it, {@code redis://127.0.0.1:PORT}. */
    public URI uri() {
        return URI.create("redis://" + Processes.LOOPBACK + ":" + port);
    }

    @Override
    public synchronized void close() {
        stop();
        TestDirs.deleteTree(workDir);
    }
}
