package dev.ncps.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The ncps executable jar (or a launcher such as the runtime bundle's {@code bin/ncps}) as a separate process on
 * a loopback port: started with the caller's arguments for the port the fixture picked, ready once
 * {@code GET /healthz} answers 200. It can be stopped gracefully (TERM), crashed (KILL) and restarted on the
 * same port with the same arguments.
 */
public final class NcpsProcess implements AutoCloseable {
    private static final Duration DEFAULT_STARTUP = Duration.ofSeconds(60);

    private final List<String> executable;
    private final Path workDir;
    private final int port;
    private final IntFunction<List<String>> arguments;
    private final Map<String, String> env;
    private final Duration startup;
    private final String name;
    private RunningProcess process;

    private NcpsProcess(List<String> executable, Path workDir, String name, int port, IntFunction<List<String>> arguments,
                        Map<String, String> env, Duration startup) {
        this.executable = List.copyOf(executable);
        this.workDir = workDir;
        this.name = name;
        this.port = port;
        this.arguments = arguments;
        this.env = Map.copyOf(env);
        this.startup = startup;
    }

    /** target/ncps.jar of the project surefire runs in ({@code ncps.repo.root}); fails clearly if absent. */
    public static Path locateJar() {
        return locateJar(System.getProperty("ncps.repo.root"));
    }

    static Path locateJar(String repoRoot) {
        if (repoRoot == null || repoRoot.isBlank()) {
            throw new IllegalStateException("system property ncps.repo.root is not set; run the tests through Maven"
                    + " (surefire sets it) or pass -Dncps.repo.root=<project dir>");
        }
        Path jar = Path.of(repoRoot, "target", "ncps.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no ncps executable jar at " + jar
                    + "; build it first with ./mvnw package -DskipTests");
        }
        return jar;
    }

    /**
     * The arguments of {@code ncps serve} on {@code port} as {@code test.local}, with NARs in {@code storage}, temp
     * files in {@code temp} and one upstream, followed by {@code extra} (more flags and their values).
     */
    public static List<String> serveLocally(int port, Path storage, Path temp, URI upstream, String publicKey,
                                            String... extra) {
        List<String> arguments = new ArrayList<>(List.of("serve",
                "--server-addr", "127.0.0.1:" + port,
                "--cache-hostname", "test.local",
                "--cache-storage-local", storage.toString(),
                "--cache-temp-path", temp.toString(),
                "--cache-upstream-url", upstream.toString(),
                "--cache-upstream-public-key", publicKey));
        arguments.addAll(List.of(extra));
        return arguments;
    }

    /** Starts the project's ncps jar; {@code arguments} gets the port to listen on, e.g. for --server-addr. */
    public static NcpsProcess start(String name, IntFunction<List<String>> arguments, Map<String, String> env) {
        return start(locateJar(), name, arguments, env, DEFAULT_STARTUP);
    }

    /** Starts any executable jar that serves /healthz on the port it is given. */
    public static NcpsProcess start(Path jar, String name, IntFunction<List<String>> arguments,
                                    Map<String, String> env, Duration startup) {
        return start(jar, name, arguments, env, startup, "512m");
    }

    /** As {@link #start(Path, String, IntFunction, Map, Duration)}, with a maximum heap such as {@code 96m}. */
    public static NcpsProcess start(Path jar, String name, IntFunction<List<String>> arguments,
                                    Map<String, String> env, Duration startup, String maxHeap) {
        return started(new NcpsProcess(List.of(javaExecutable().toString(), "--enable-native-access=ALL-UNNAMED",
                "-Xmx" + maxHeap, "-jar", jar.toString()), jar.getParent(), name, Processes.freePort(), arguments, env, startup));
    }

    /** Starts an ncps launcher script (e.g. a runtime bundle's {@code bin/ncps}) with its own JVM defaults. */
    public static NcpsProcess startLauncher(Path launcher, String name, IntFunction<List<String>> arguments,
                                            Map<String, String> env, Duration startup) {
        return started(new NcpsProcess(List.of(launcher.toString()), launcher.getParent(), name, Processes.freePort(),
                arguments, env, startup));
    }

    private static NcpsProcess started(NcpsProcess ncps) {
        ncps.start();
        return ncps;
    }

    /** (Re)starts the JVM on the same port; a no-op while it runs. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(executable);
        command.addAll(arguments.apply(port));
        process = Processes.start(name + "-" + port, command, env, workDir);
        RunningProcess started = process;
        started.awaitReady(() -> Processes.awaitHttp200(url().resolve("/healthz"), startup, started));
    }

    /** SIGTERM and wait for a graceful exit (SIGKILL after {@code grace}); returns the exit code. */
    public synchronized int terminate(Duration grace) {
        return process.terminate(grace);
    }

    /** SIGKILL: a crash, no shutdown hooks run. */
    public synchronized void kill() {
        process.kill();
    }

    /** Graceful stop, then start again on the same port. */
    public synchronized void restart() {
        terminate(Duration.ofSeconds(20));
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + port);
    }

    public synchronized Path log() {
        return process.log();
    }

    /** The operating-system process id of the running ncps. */
    public synchronized long pid() {
        return process.pid();
    }

    public synchronized String logTail(int lines) {
        return process.logTail(lines);
    }

    @Override
    public synchronized void close() {
        if (process != null) {
            process.close();
        }
    }

    /** The java of the JVM running the tests, so the child gets the same (25+) runtime. */
    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }
}
