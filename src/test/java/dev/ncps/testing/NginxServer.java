package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Debian's nginx in the foreground under a private prefix, for comparisons in benchmarks. The caller writes
 * the inside of the {@code http {}} block for a port the fixture picked; the fixture owns the main context
 * (pid file, logs, temp paths, worker count) so nothing touches /var or /etc.
 */
public final class NginxServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final int port;
    private final Path prefix;
    private final RunningProcess process;

    private NginxServer(int port, Path prefix, RunningProcess process) {
        this.port = port;
        this.prefix = prefix;
        this.process = process;
    }

    /**
     * @param workers   nginx worker processes
     * @param httpBlock the directives inside {@code http {}} given the port to listen on, e.g. a
     *                  {@code server { listen 127.0.0.1:PORT; ... }}
     */
    public static NginxServer start(int workers, IntFunction<String> httpBlock) {
        Installer.ensure("nginx");
        int port = Processes.freePort();
        Path prefix = TestDirs.newWorkDir("nginx");
        Path config = prefix.resolve("nginx.conf");
        try {
            Files.createDirectories(prefix.resolve("tmp"));
            Files.createDirectories(prefix.resolve("logs"));
            Files.writeString(config, """
                    daemon off;
                    master_process on;
                    worker_processes %d;
                    user root;
                    pid %s;
                    error_log %s warn;
                    events { worker_connections 4096; }
                    http {
                      access_log off;
                      client_body_temp_path %s;
                      proxy_temp_path %s;
                    %s
                    }
                    """.formatted(workers, prefix.resolve("nginx.pid"), prefix.resolve("logs/error.log"),
                    prefix.resolve("tmp/body"), prefix.resolve("tmp/proxy"), httpBlock.apply(port)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the nginx configuration under " + prefix, e);
        }
        List<String> base = List.of("nginx", "-p", prefix + "/", "-e", prefix.resolve("logs/error.log").toString(),
                "-c", config.toString());
        List<String> test = new java.util.ArrayList<>(base);
        test.add("-t");
        Processes.run("nginx-check", test, Map.of(), prefix, Duration.ofSeconds(20)).requireSuccess("nginx -t");
        RunningProcess process = Processes.start("nginx-" + port, base, Map.of(), prefix);
        process.awaitReady(() -> Processes.awaitPort(port, STARTUP, process));
        return new NginxServer(port, prefix, process);
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + port);
    }

    /** The prefix directory, e.g. for a proxy_cache path. */
    public Path prefix() {
        return prefix;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        // SIGTERM is nginx's fast shutdown; the master takes its workers down with it.
        process.terminate(Duration.ofSeconds(10));
        TestDirs.deleteTree(prefix);
    }
}
