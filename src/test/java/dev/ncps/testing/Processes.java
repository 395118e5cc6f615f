package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Starts external programs for tests, waits for them to become ready and makes sure none outlives the JVM.
 * Every process writes stdout and stderr to one log file under target/test-logs, whose tail is added to
 * failure messages so a broken fixture explains itself.
 */
public final class Processes {
    public static final String LOOPBACK = "127.0.0.1";
    private static final Duration POLL = Duration.ofMillis(50);

    /*
     * The one piece of static mutable state in the kit, on purpose: a JVM-wide registry is the only place a
     * shutdown hook can find processes whose fixture was never closed (a test aborted, a JVM told to exit).
     */
    private static final Set<RunningProcess> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> LIVE.forEach(RunningProcess::kill)));
    }

    private Processes() {}

    /**
     * A port that was free on loopback a moment ago. Another process may still take it before ours binds;
     * the kernel hands out ephemeral ports in sequence, which makes that rare enough for tests.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + LOOPBACK, e);
        }
    }

    /** Starts {@code command} with the current environment plus {@code env}, output into a fresh log file. */
    public static RunningProcess start(String name, List<String> command, Map<String, String> env, Path workDir) {
        Path log = newLogFile(name);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(env);
        return start(name, builder, log);
    }

    /**
     * Starts a prepared {@code builder} (for callers that redirect output themselves) and tracks it like the
     * others; {@code log} is the file whose tail explains failures.
     */
    public static RunningProcess start(String name, ProcessBuilder builder, Path log) {
        try {
            RunningProcess process = new RunningProcess(name, builder.start(), log, LIVE::remove);
            LIVE.add(process);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + String.join(" ", builder.command())
                    + " (" + e.getMessage() + ")", e);
        }
    }

    /** Runs a command to completion within {@code timeout}; kills it if it takes longer. */
    public static Completed run(String name, List<String> command, Map<String, String> env, Path workDir,
                                Duration timeout) {
        RunningProcess process = start(name, command, env, workDir);
        int exit = process.awaitExit(timeout);
        return new Completed(exit, process.log());
    }

    /** A finished command: its exit code and the log holding its output. */
    public record Completed(int exitCode, Path log) {
        public String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Throws with the output's tail unless the command exited with 0. */
        public Completed requireSuccess(String what) {
            if (exitCode != 0) {
                throw new IllegalStateException(what + " failed with exit code " + exitCode + "; log " + log
                        + ":\n" + RunningProcess.tail(log, 30));
            }
            return this;
        }
    }

    /**
     * Stops ({@code SIGSTOP}) or continues ({@code SIGCONT}) these processes: a stopped server keeps its sockets and
     * its kernel still accepts connections, but it answers nothing, as a host that froze or dropped off the network.
     */
    public static void pause(boolean paused, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", paused ? "-STOP" : "-CONT"));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try {
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pids, e);
        }
    }

    /** Waits until a TCP connection to loopback:{@code port} succeeds, failing early if {@code owner} died. */
    public static void awaitPort(int port, Duration timeout, RunningProcess owner) {
        await("port " + port + " of " + owner.name() + " to accept connections", timeout, owner, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(LOOPBACK, port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until GET {@code uri} answers 200, failing early if {@code owner} died. */
    public static void awaitHttp200(URI uri, Duration timeout, RunningProcess owner) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build()) {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
            await("GET " + uri + " to answer 200 (" + owner.name() + ")", timeout, owner, () -> {
                try {
                    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        }
    }

    /** Polls {@code condition} until it holds; fails with the owner's log tail on timeout or if it exits. */
    public static void await(String what, Duration timeout, RunningProcess owner, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (owner != null && !owner.isAlive()) {
                throw new IllegalStateException("gave up waiting for " + what + ": " + owner.name()
                        + " exited with " + owner.exitCode() + "; log " + owner.log() + ":\n" + owner.logTail(30));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                        + (owner == null ? "" : "; log " + owner.log() + ":\n" + owner.logTail(30)));
            }
            sleep(POLL);
        }
    }

    /** {@link #await(String, Duration, RunningProcess, BooleanSupplier)} without a process to watch. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, null, condition);
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Path newLogFile(String name) {
        String stamp = DateTimeFormatter.ofPattern("HHmmss").format(java.time.LocalTime.now());
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            Path dir = Files.createDirectories(TestDirs.target().resolve("test-logs"));
            return dir.resolve(safe + "-" + stamp + "-" + ProcessHandle.current().pid() + "-"
                    + SEQUENCE.incrementAndGet() + ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create target/test-logs", e);
        }
    }
}
