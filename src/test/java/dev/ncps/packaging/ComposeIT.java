package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import dev.ncps.testing.Installer;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * deploy/compose started for real with podman-compose: Redis, PostgreSQL, an S3 server, three ncps containers of this
 * build's image and HAProxy, with local stand-ins (scripts/container/compose-standins.sh) for the public images these
 * machines cannot pull. All three instances become ready, a {@code nix copy} through the load balancer is verified,
 * one instance is killed and a second copy still succeeds, served from the shared storage. The commands are those
 * of docs/installation/compose.md; only the upstream (a fixture on the host) is added by an override file.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeIT {
    private static final Path COMPOSE = TestDirs.repoRoot().resolve("deploy/compose/compose.yaml");
    private static final List<String> INSTANCES = List.of("ncps-1", "ncps-2", "ncps-3");
    /* GET /readyz on the instance's own port, from inside its container: the image has bash but no HTTP client. */
    private static final String READYZ = "exec 3<>/dev/tcp/127.0.0.1/8501 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3"
            + " && read -r -t 5 _ status _ <&3 && [ \"$status\" = 200 ]";

    private final String project = "ncpsit" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> env = new HashMap<>();
    private Path work;

    @BeforeAll
    void buildImages() {
        Installer.ensure("podman-compose");
        work = TestDirs.newWorkDir("compose");
        String ncps = "localhost/" + Podman.ncpsImage(work);
        env.put("NCPS_IMAGE", ncps);
        Podman.script(work, Duration.ofMinutes(20), "scripts/container/compose-standins.sh", ncps, Podman.baseImage(work))
                .output().lines().filter(l -> l.matches("[A-Z_]+_IMAGE=\\S+"))
                .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        assertThat(env).containsKeys("REDIS_IMAGE", "POSTGRES_IMAGE", "MINIO_IMAGE", "MC_IMAGE", "HAPROXY_IMAGE");
    }

    @AfterAll
    void delete() {
        TestDirs.deleteTree(work);
    }

    @Test
    void threeInstancesBehindHaproxyServeANixCopyAndKeepServingWhenOneIsKilled() throws IOException, InterruptedException {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        int port = Processes.freePort();
        env.put("NCPS_PORT", Integer.toString(port));
        URI balancer = URI.create("http://127.0.0.1:" + port);
        // Containers reach the host through their network's gateway, so the upstream listens beyond loopback.
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir(), "0.0.0.0", 0);
             NixClient nix = new NixClient()) {
            Path override = writeOverride("http://host.containers.internal:" + upstream.port(), cache.publicKey());
            try {
                compose(Duration.ofMinutes(5), "-f", COMPOSE.toString(), "-f", override.toString(), "up", "-d");
                for (String instance : INSTANCES) {
                    await(instance + " to answer /readyz", Duration.ofMinutes(5), () -> ready(instance));
                }
                await("HAProxy to answer /readyz", Duration.ofMinutes(1), () -> answers(balancer.resolve("/readyz")));

                String key = RuntimeBundleIT.get(balancer.resolve("/pubkey")).strip();
                NixClient.Copy first = nix.copyClosure(balancer, key, cache.closureRoot());
                assertThat(first.succeeded()).as(() -> first.result() + "\n" + logs()).isTrue();
                assertThat(nix.verify(first.store(), cache.closureRoot(), key).succeeded()).isTrue();
                int narsFetched = upstream.narRequests();
                assertThat(narsFetched).isPositive();

                podman("kill", container("ncps-2"));
                NixClient.Copy second = nix.copyClosure(balancer, key, cache.closureRoot());
                assertThat(second.succeeded()).as(() -> "copy with ncps-2 killed: " + second.result() + "\n" + logs()).isTrue();
                assertThat(nix.verify(second.store(), cache.closureRoot(), key).succeeded()).isTrue();
                assertThat(upstream.narRequests()).as("NARs fetched again instead of read from the shared S3 storage")
                        .isEqualTo(narsFetched);
            } finally {
                tearDown(override);
            }
        }
    }

    /** Points every instance at the upstream fixture; everything else comes from compose.yaml as a user runs it. */
    private Path writeOverride(String upstreamUrl, String publicKey) throws IOException {
        StringBuilder yaml = new StringBuilder("services:\n");
        for (String instance : INSTANCES) {
            yaml.append("  ").append(instance).append(":\n    environment:\n")
                    .append("      CACHE_UPSTREAM_URLS: \"").append(upstreamUrl).append("\"\n")
                    .append("      CACHE_UPSTREAM_PUBLIC_KEYS: \"").append(publicKey).append("\"\n");
        }
        return Files.writeString(work.resolve("compose.test.yaml"), yaml);
    }

    /** {@code podman-compose down -v}, then what it leaves: the ncps containers' anonymous volumes and the network. */
    private void tearDown(Path override) {
        List<String> volumes = new ArrayList<>();
        for (String id : Podman.outputLines(podmanQuietly("ps", "--all", "--quiet", "--filter", "label=io.podman.compose.project=" + project))) {
            volumes.addAll(Podman.outputLines(podmanQuietly("inspect", "--format",
                    "{{range .Mounts}}{{if eq .Type \"volume\"}}{{println .Name}}{{end}}{{end}}", id)));
        }
        composeQuietly("-f", COMPOSE.toString(), "-f", override.toString(), "down", "-v");
        volumes.forEach(volume -> podmanQuietly("volume", "rm", "--force", volume));
        podmanQuietly("network", "rm", "--force", project + "_default");
    }

    /* Polls every second: each probe of an instance is a podman exec, which is not cheap on a loaded machine. */
    private void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; logs:\n" + logs());
            }
            Thread.sleep(1_000);
        }
    }

    private boolean ready(String instance) {
        return podmanQuietly("exec", container(instance), "bash", "-c", READYZ).exitCode() == 0;
    }

    private static boolean answers(URI uri) {
        try {
            RuntimeBundleIT.get(uri);
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines of the ncps and HAProxy containers' logs, for failure messages. */
    private String logs() {
        StringBuilder logs = new StringBuilder();
        for (String service : List.of("ncps-1", "ncps-2", "ncps-3", "haproxy")) {
            logs.append("--- ").append(service).append('\n')
                    .append(podmanQuietly("logs", "--tail", "15", container(service)).output());
        }
        return logs.toString();
    }

    /** podman-compose names a service's container {@code <project>_<service>_1}. */
    private String container(String service) {
        return project + "_" + service + "_1";
    }

    private void compose(Duration timeout, String... args) {
        Processes.Completed done = composeRun(timeout, args);
        assertThat(done.exitCode()).as(() -> "podman-compose " + String.join(" ", args) + ":\n" + done.output() + "\n" + logs()).isZero();
    }

    private Processes.Completed composeQuietly(String... args) {
        return composeRun(Duration.ofMinutes(3), args);
    }

    /** The documented command, with podman's runtime and a project name of this test's own. */
    private Processes.Completed composeRun(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman-compose", "--podman-args=--runtime runc", "-p", project));
        command.addAll(List.of(args));
        return Processes.run("podman-compose", command, env, work, timeout);
    }

    private void podman(String... args) {
        podmanQuietly(args).requireSuccess(String.join(" ", Podman.command(args)));
    }

    private Processes.Completed podmanQuietly(String... args) {
        return Processes.run("podman", Podman.command(args), Map.of(), work, Duration.ofMinutes(2));
    }
}
