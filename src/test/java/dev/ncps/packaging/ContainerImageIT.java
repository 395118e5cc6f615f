package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import dev.ncps.testing.WorkDir;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The container image, built by scripts/build-image.sh from the runtime bundle on a Debian base made with
 * debootstrap (these machines reach no registry), run with podman and runc (crun cannot run containers here):
 * metadata, a real {@code nix copy} through it with a read-only root file system as a non-root user, the health
 * check, and a clean exit 0 on {@code podman stop} (SIGTERM). The commands are those of docs/installation/container.md.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerImageIT {
    private final RuntimeBundle bundle = RuntimeBundle.built();
    @AutoClose
    private final WorkDir workDir = WorkDir.create("image");
    private final Path work = workDir.path();
    private String image;

    @BeforeAll
    void buildImage() {
        image = Podman.ncpsImage(work);
    }

    @Test
    void imageIsNamedByVersionRunsAsNonRootAndDeclaresPortVolumeLabelsAndHealthCheck() {
        assertThat(image).isEqualTo("ncps:" + bundle.version());
        String format = "{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|"
                + "{{index .Config.Labels \"org.opencontainers.image.version\"}}|"
                + "{{index .Config.Labels \"org.opencontainers.image.revision\"}}|{{json .HealthCheck}}|{{.Config.StopSignal}}";
        String[] fields = Podman.lastLine(podman("image", "inspect", "--format", format, image)).split("\\|");

        assertThat(fields[0]).isEqualTo("10001:10001");
        assertThat(fields[1]).contains("\"8501/tcp\"");
        assertThat(fields[2]).contains("\"/storage\"");
        assertThat(fields[3]).isEqualTo(bundle.version());
        assertThat(fields[4]).matches("[0-9a-f]{12}(-dirty)?|unknown");
        assertThat(fields[5]).contains("/opt/ncps-healthcheck");
        assertThat(fields[6]).isEqualTo("SIGTERM");
        assertThat(Podman.lastLine(podman("run", "--rm", image, "/bin/ncps", "--version")))
                .startsWith("ncps " + bundle.version() + " (git ");
    }

    @Test
    void aReadOnlyNonRootContainerServesANixCopyAndExitsZeroOnSigterm() throws IOException, InterruptedException {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        String name = "ncps-it-" + UUID.randomUUID().toString().substring(0, 8);
        int port = Processes.freePort();
        URI url = URI.create("http://127.0.0.1:" + port);
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             NixClient nix = new NixClient()) {
            Path config = work.resolve("config.yaml");
            Files.writeString(config, """
                    server:
                      addr: "127.0.0.1:%d"
                    cache:
                      hostname: test.local
                      upstream:
                        urls: ["%s"]
                        public-keys: ["%s"]
                    """.formatted(port, upstream.url(), cache.publicKey()));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                // Host networking reaches the upstream fixture on loopback; --read-only-tmpfs=false keeps /tmp
                // read-only too (as Docker's --read-only does), so everything ncps writes must go to /storage.
                podman("run", "--detach", "--name", name, "--network", "host", "--read-only", "--read-only-tmpfs=false",
                        "--volume", name + ":/storage", "--volume", config + ":/config.yaml:ro",
                        "--env", "NCPS_HEALTHCHECK_PORT=" + port,
                        image, "/bin/ncps", "serve", "--config=/config.yaml");
                Processes.await("ncps in container " + name + " to answer /healthz", Duration.ofSeconds(90),
                        () -> healthy(url));

                assertThat(Podman.lastLine(podman("exec", name, "id", "-u"))).isNotEqualTo("0").isEqualTo("10001");
                assertThat(run(name + "-ro", Duration.ofSeconds(30), Podman.command("exec", name, "touch", "/opt/ncps/x")).exitCode())
                        .as("writing to the read-only root").isNotZero();
                assertThat(run(name + "-hc", Duration.ofSeconds(30), Podman.command("exec", name, "/opt/ncps-healthcheck")).exitCode())
                        .as("the image's health check").isZero();

                String key = RuntimeBundleIT.get(url.resolve("/pubkey")).strip();
                NixClient.Copy copy = nix.copyClosure(url, key, cache.closureRoot());
                assertThat(copy.succeeded()).as("%s\n%s", copy.result(), podman("logs", "--tail", "20", name).output()).isTrue();
                assertThat(nix.verify(copy.store(), cache.closureRoot(), key).succeeded()).isTrue();

                podman("stop", "--time", "60", name);
                assertThat(Podman.lastLine(podman("inspect", "--format", "{{.State.ExitCode}}", name)))
                        .as("exit code after SIGTERM; log:\n%s", podman("logs", "--tail", "20", name).output()).isEqualTo("0");
            } finally {
                run(name + "-rm", Duration.ofMinutes(1), Podman.command("rm", "--force", name));
                run(name + "-rmv", Duration.ofMinutes(1), Podman.command("volume", "rm", "--force", name));
            }
        }
    }

    private static boolean healthy(URI url) {
        try {
            RuntimeBundleIT.get(url.resolve("/healthz"));
            return true;
        } catch (IOException | AssertionError e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Processes.Completed podman(String... args) {
        return run(Duration.ofMinutes(2), Podman.command(args).toArray(String[]::new));
    }

    private Processes.Completed run(Duration timeout, String... command) {
        return run(Path.of(command[0]).getFileName().toString(), timeout, List.of(command)).requireSuccess(String.join(" ", command));
    }

    private Processes.Completed run(String name, Duration timeout, List<String> command) {
        return Processes.run(name, command, Map.of(), work, timeout);
    }
}
