package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * deploy/systemd/ncps.service started for real, by systemd as init in a podman container (scripts/container/systemd-host):
 * the install commands of docs/installation/systemd.md, run as written, start the hardened service as a dynamic user
 * that answers /healthz, and {@code systemctl stop} ends it successfully.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemdServiceIT {
    private static final Path GUIDE = TestDirs.repoRoot().resolve("docs/installation/systemd.md");
    private static final String IMAGE = "localhost/ncps-systemd-host:latest";
    private static final String HEALTHZ = "exec 3<>/dev/tcp/127.0.0.1/8501 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3"
            + " && read -r -t 5 _ status _ <&3 && [ \"$status\" = 200 ]";
    private final String name = "ncps-systemd-it-" + UUID.randomUUID().toString().substring(0, 8);
    private Path work;

    @BeforeAll
    void buildImage() {
        work = TestDirs.newWorkDir("systemd-host");
        podman(Duration.ofMinutes(10), "build", "--network", "host", "--quiet", "--build-arg", "BASE=" + Podman.baseImage(work),
                "--tag", IMAGE, TestDirs.repoRoot().resolve("scripts/container/systemd-host").toString());
    }

    @AfterAll
    void delete() {
        TestDirs.deleteTree(work);
    }

    @Test
    void theGuidesCommandsStartTheHardenedServiceWhichAnswersAndStopsCleanly() throws IOException, InterruptedException {
        RuntimeBundle bundle = RuntimeBundle.built();
        List<String> install = installCommands(bundle);
        try {
            // The checkout, read-only, is where the guide's commands run (they name target/ and deploy/ relative to it).
            podman(Duration.ofMinutes(2), "run", "--detach", "--name", name, "--systemd=always",
                    "--volume", TestDirs.repoRoot() + ":/src:ro", IMAGE);
            exec(Duration.ofMinutes(3), "systemctl is-system-running --wait || true");
            exec(Duration.ofMinutes(5), "cd /src && " + String.join(" && ", install));

            awaitHealthy(Duration.ofMinutes(3));
            String pid = Podman.lastLine(exec(Duration.ofSeconds(30), "systemctl show --property MainPID --value ncps"));
            String status = exec(Duration.ofSeconds(30), "cat /proc/" + pid + "/status").output();
            assertThat(field(status, "Uid")).as("the dynamic user").isNotEqualTo("0");
            assertThat(field(status, "CapEff")).as("capabilities").matches("0+");
            assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
            assertThat(field(status, "Seccomp")).as("the system call filter").isEqualTo("2");

            exec(Duration.ofSeconds(90), "systemctl stop ncps");
            assertThat(Podman.lastLine(exec(Duration.ofSeconds(30), "systemctl show --property Result --value ncps")))
                    .as(() -> "journal:\n" + journal()).isEqualTo("success");
        } finally {
            Processes.run("podman-rm", Podman.command("rm", "--force", name), Map.of(), work, Duration.ofMinutes(1));
        }
    }

    /** The guide's root commands (the {@code sudo} lines of its first block), for this build's bundle. */
    private static List<String> installCommands(RuntimeBundle bundle) throws IOException {
        String guide = Files.readString(GUIDE);
        String block = guide.substring(guide.indexOf("```sh"), guide.indexOf("```", guide.indexOf("```sh") + 5));
        List<String> commands = block.lines().filter(l -> l.startsWith("sudo "))
                .map(l -> l.replaceFirst("^sudo ", "").replaceFirst("\\s+#.*$", "").replace("sudo ", ""))
                .toList();
        assertThat(commands).as("the install commands of %s", GUIDE).hasSizeGreaterThan(5)
                .first().asString().isEqualTo("tar -xzf target/" + bundle.archive().getFileName() + " -C /opt");
        assertThat(commands.getLast()).isEqualTo("systemctl daemon-reload && systemctl enable --now ncps");
        return commands;
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (execQuietly(Duration.ofSeconds(30), HEALTHZ).exitCode() != 0) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("ncps.service did not answer /healthz within " + timeout + "; journal:\n" + journal());
            }
            Thread.sleep(1_000);
        }
    }

    private static String field(String procStatus, String key) {
        Matcher matcher = Pattern.compile("(?m)^" + key + ":\\s+(\\S+)").matcher(procStatus);
        assertThat(matcher.find()).as("%s in\n%s", key, procStatus).isTrue();
        return matcher.group(1);
    }

    private String journal() {
        return execQuietly(Duration.ofSeconds(30), "systemctl status --no-pager ncps; journalctl --no-pager -u ncps | tail -20").output();
    }

    private Processes.Completed exec(Duration timeout, String script) {
        Processes.Completed done = execQuietly(timeout, script);
        assertThat(done.exitCode()).as("%s:\n%s", script, done.output()).isZero();
        return done;
    }

    private Processes.Completed execQuietly(Duration timeout, String script) {
        return Processes.run("podman-exec", Podman.command("exec", name, "bash", "-c", script), Map.of(), work, timeout);
    }

    private void podman(Duration timeout, String... args) {
        Processes.run("podman", Podman.command(args), Map.of(), work, timeout).requireSuccess(String.join(" ", Podman.command(args)));
    }
}
