package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's tinyproxy as a forward HTTP proxy on a free loopback port, in the foreground, logging every
 * request it forwards to its own file ({@link #requestLog()}).
 */
public final class TinyproxyServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final int port;
    private final Path workDir;
    private final RunningProcess process;

    private TinyproxyServer(int port, Path workDir, Map<String, Integer> routes) throws IOException {
        this.port = port;
        this.workDir = workDir;
        StringBuilder config = new StringBuilder(String.join("\n",
                "Port " + port,
                "Listen " + Processes.LOOPBACK,
                "Timeout 30",
                "Allow 127.0.0.1",
                "LogFile \"" + workDir.resolve("tinyproxy.log") + "\"",
                "LogLevel Info",
                "MaxClients 20",
                ""));
        routes.forEach((site, loopbackPort) -> config.append("Upstream http ").append(Processes.LOOPBACK).append(':')
                .append(loopbackPort).append(" \"").append(site).append("\"\n"));
        Files.writeString(config(), config);
        this.process = Processes.start("tinyproxy-" + port, List.of("tinyproxy", "-d", "-c", config().toString()),
                Map.of(), workDir);
        process.awaitReady(() -> Processes.awaitPort(port, STARTUP, process));
    }

    /**
     * Starts tinyproxy; requests for a site named in {@code routes} (a host name that need not resolve) are
     * handed, in proxy form, to the HTTP server on that loopback port, which is how a test serves an
     * upstream that only the proxy can reach.
     */
    public static TinyproxyServer start(Map<String, Integer> routes) {
        Installer.ensure("tinyproxy");
        Path workDir = TestDirs.newWorkDir("tinyproxy");
        try {
            return new TinyproxyServer(Processes.freePort(), workDir, routes);
        } catch (IOException e) {
            TestDirs.deleteTree(workDir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            TestDirs.deleteTree(workDir);
            throw e;
        }
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + port);
    }

    /** What tinyproxy logged so far: one "Request" line per forwarded request, with its URL. */
    public String requestLog() {
        try {
            Path log = workDir.resolve("tinyproxy.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path config() {
        return workDir.resolve("tinyproxy.conf");
    }

    @Override
    public void close() {
        process.close();
        TestDirs.deleteTree(workDir);
    }
}
