package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** An external program started by {@link Processes}; closing it stops it gracefully. */
public final class RunningProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;
    private final Consumer<RunningProcess> onExit;

    RunningProcess(String name, Process process, Path log, Consumer<RunningProcess> onExit) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.onExit = onExit;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while the process runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Sends SIGKILL to the process and its descendants and waits for it: a crash, nothing gets to clean up. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitFor(GRACE);
        onExit.accept(this);
    }

    /** Sends SIGTERM and waits up to {@code grace}; escalates to SIGKILL if the process does not exit. */
    public int terminate(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            kill();
        }
        onExit.accept(this);
        return exitCode();
    }

    /** Waits for the process to exit on its own; kills it and throws when {@code timeout} passes first. */
    public int awaitExit(Duration timeout) {
        if (!waitFor(timeout)) {
            kill();
            throw new IllegalStateException(name + " did not finish within " + timeout + "; log " + log + ":\n"
                    + logTail(30));
        }
        onExit.accept(this);
        return process.exitValue();
    }

    /** Sends an arbitrary signal (e.g. "USR2" or "HUP") with kill(1), since Java can only send TERM and KILL. */
    public void signal(String signal) {
        Processes.run("kill-" + signal, List.of("kill", "-" + signal, Long.toString(pid())), java.util.Map.of(),
                Path.of("/"), Duration.ofSeconds(5)).requireSuccess("kill -" + signal + " " + pid());
    }

    /** Runs a readiness wait; if it fails, kills the process so a broken start leaves nothing behind. */
    public RunningProcess awaitReady(Runnable wait) {
        try {
            wait.run();
            return this;
        } catch (RuntimeException | Error e) {
            kill();
            throw e;
        }
    }

    public String logTail(int lines) {
        return tail(log, lines);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no log)";
            }
            List<String> all = Files.readAllLines(file, java.nio.charset.StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            terminate(GRACE);
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + "[pid " + pid() + "]";
    }
}
