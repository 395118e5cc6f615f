package dev.ncps.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's HAProxy (2.6) in master-worker mode in front of N HTTP backends on loopback, with fast health
 * checks on {@code GET /nix-cache-info}, retries with redispatch, and an admin socket to read server states.
 * Backends are named {@code b<port>} so tests can find them; {@link #reload(List)} swaps them without
 * closing the frontend port.
 */
public final class HaproxyServer implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    /**
     * How requests are spread: round robin, or by a consistent hash of the URI (what the docs recommend), or
     * narinfo requests to the first backend and every other request round robin to the rest (needs two or
     * more): the worst a balancer that is not sticky can do to a client, made deterministic.
     */
    public enum Balance {
        ROUNDROBIN("roundrobin"), URI("uri\n  hash-type consistent"), NARINFOS_TO_FIRST("roundrobin");

        private final String config;

        Balance(String config) {
            this.config = config;
        }
    }

    private final int port;
    private final Path workDir;
    private final Balance balance;
    private final RunningProcess process;

    private HaproxyServer(int port, Path workDir, Balance balance, List<URI> backends) {
        this.port = port;
        this.workDir = workDir;
        this.balance = balance;
        writeConfig(backends);
        check();
        this.process = Processes.start("haproxy-" + port,
                List.of("haproxy", "-W", "-db", "-f", config().toString()), Map.of(), workDir);
        process.awaitReady(() -> {
            Processes.awaitPort(port, STARTUP, process);
            awaitBackends(backends);
        });
    }

    /** Starts HAProxy on a free port in front of {@code backends} (base URLs like http://127.0.0.1:8080). */
    public static HaproxyServer start(List<URI> backends, Balance balance) {
        Installer.ensure("haproxy");
        Path workDir = TestDirs.newWorkDir("haproxy");
        try {
            return new HaproxyServer(Processes.freePort(), workDir, balance, backends);
        } catch (RuntimeException e) {
            TestDirs.deleteTree(workDir);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + port);
    }

    /** The name HAProxy knows a backend by. */
    public static String serverName(URI backend) {
        return "b" + backend.getPort();
    }

    /** Rewrites the configuration with {@code backends} and reloads (SIGUSR2 to the master); the port stays open. */
    public void reload(List<URI> backends) {
        writeConfig(backends);
        check();
        process.signal("USR2");
        awaitBackends(backends);
    }

    /** Server name to HAProxy's status (UP, DOWN, MAINT, "UP 1/2", ...) from {@code show stat}. */
    public Map<String, String> serverStates() {
        Map<String, String> states = new LinkedHashMap<>();
        String csv = admin("show stat");
        List<String> header = List.of(csv.lines().findFirst().orElse("").replaceFirst("^# ", "").split(","));
        int name = header.indexOf("svname");
        int status = header.indexOf("status");
        csv.lines().skip(1).map(line -> line.split(",", -1))
                .filter(fields -> fields.length > status && (fields[0].equals("ncps") || fields[0].equals("narinfos")))
                .filter(fields -> !fields[name].equals("BACKEND") && !fields[name].equals("FRONTEND"))
                .forEach(fields -> states.put(fields[name], fields[status]));
        return states;
    }

    /** Waits until HAProxy reports {@code backend} with a status starting with {@code status} (UP or DOWN). */
    public void awaitState(URI backend, String status, Duration timeout) {
        String server = serverName(backend);
        Processes.await(server + " to be " + status + " in HAProxy", timeout, process,
                () -> String.valueOf(serverStates().get(server)).startsWith(status));
    }

    /** Sends one command to the admin socket and returns the answer. */
    public String admin(String command) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(adminSocket()));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot talk to HAProxy's admin socket " + adminSocket(), e);
        }
    }

    public Path log() {
        return process.log();
    }

    @Override
    public void close() {
        process.terminate(Duration.ofSeconds(10));
        TestDirs.deleteTree(workDir);
    }

    private void awaitBackends(List<URI> backends) {
        List<String> expected = backends.stream().map(HaproxyServer::serverName).sorted().toList();
        Processes.await("HAProxy to serve with backends " + expected, STARTUP, process, () -> {
            try {
                return serverStates().keySet().stream().sorted().toList().equals(expected);
            } catch (UncheckedIOException notYet) {
                return false;
            }
        });
    }

    private void check() {
        Processes.run("haproxy-check", List.of("haproxy", "-c", "-f", config().toString()), Map.of(), workDir,
                Duration.ofSeconds(20)).requireSuccess("haproxy -c on " + config());
    }

    private void writeConfig(List<URI> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("HAProxy needs at least one backend");
        }
        boolean split = balance == Balance.NARINFOS_TO_FIRST;
        if (split && backends.size() < 2) {
            throw new IllegalArgumentException("narinfos to the first backend needs another one for the rest");
        }
        String servers = servers(split ? backends.subList(1, backends.size()) : backends);
        String narInfoRoute = split ? """
                  acl narinfo path_end .narinfo
                  use_backend narinfos if narinfo
                """ : "";
        String narInfoBackend = split ? """

                backend narinfos
                  option httpchk GET /nix-cache-info
                  http-check expect status 200
                %s""".formatted(servers(backends.subList(0, 1))) : "";
        String config = """
                global
                  stats socket %s mode 600 level admin
                  stats timeout 10s

                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  timeout check 1s
                  # Retry failed connections and retryable answers on another instance, like a real HA setup.
                  retries 3
                  option redispatch 1
                  retry-on all-retryable-errors
                  default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1

                frontend ncps
                  bind %s:%d
                %s  default_backend ncps

                backend ncps
                  balance %s
                  option httpchk GET /nix-cache-info
                  http-check expect status 200
                %s%s""".formatted(adminSocket(), Processes.LOOPBACK, port, narInfoRoute, balance.config, servers, narInfoBackend);
        try {
            Files.writeString(config(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config(), e);
        }
    }

    private static String servers(List<URI> backends) {
        StringBuilder servers = new StringBuilder();
        for (URI backend : backends) {
            if (backend.getPort() <= 0) {
                throw new IllegalArgumentException("backend needs an explicit port: " + backend);
            }
            servers.append("  server ").append(serverName(backend)).append(' ').append(backend.getHost())
                    .append(':').append(backend.getPort()).append(" check\n");
        }
        return servers.toString();
    }

    private Path config() {
        return workDir.resolve("haproxy.cfg");
    }

    private Path adminSocket() {
        return workDir.resolve("admin.sock");
    }
}
