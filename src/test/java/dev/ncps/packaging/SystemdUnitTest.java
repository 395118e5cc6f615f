package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.config.ConfigLoader;
import dev.ncps.config.Loaded;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;
import dev.ncps.testing.Installer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * deploy/systemd: {@code systemd-analyze verify} accepts the unit, its stop timeout covers the drain, its hardening
 * leaves the JIT alone, and the example /etc/ncps/config.yaml is a configuration ncps accepts.
 */
@Tag("slow")
class SystemdUnitTest {
    private static final Path UNIT = TestDirs.repoRoot().resolve("deploy/systemd/ncps.service");
    private static final Path EXAMPLE_CONFIG = TestDirs.repoRoot().resolve("deploy/systemd/config.yaml");
    private final Path work = TestDirs.newWorkDir("systemd");

    @AfterEach
    void delete() {
        TestDirs.deleteTree(work);
    }

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnit() throws IOException {
        Installer.ensure("systemd");
        // verify insists that ExecStart's program exists; this machine has no /opt/ncps, so the copy of the unit
        // points at the bundle's launcher (src/dist/bin/ncps) placed under the work directory. Nothing else changes.
        Path launcher = Files.createDirectories(work.resolve("opt/ncps/bin")).resolve("ncps");
        Files.copy(TestDirs.repoRoot().resolve("src/dist/bin/ncps"), launcher);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path unit = work.resolve("ncps.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/ncps/bin/ncps", launcher.toString()));

        Processes.Completed verify = Processes.run("systemd-analyze", List.of("systemd-analyze", "verify", unit.toString()),
                Map.of(), work, Duration.ofMinutes(1));

        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).as("warnings of systemd-analyze verify").isBlank();
    }

    @Test
    void theUnitWaitsLongerThanTheDrainAndAllowsTheJit() throws IOException {
        String unit = Files.readString(UNIT);
        Duration drain = Duration.parse("PT" + Options.SERVER_DRAIN_TIMEOUT.defaultValue().toUpperCase());

        assertThat(unit).contains("ExecStart=/opt/ncps/bin/ncps serve --config /etc/ncps/config.yaml", "DynamicUser=yes",
                "StateDirectory=ncps", "Restart=on-failure");
        assertThat(seconds(unit, "TimeoutStopSec")).isGreaterThan(drain.toSeconds());
        assertThat(unit).doesNotContainPattern("(?m)^MemoryDenyWriteExecute=");
    }

    @Test
    void theExampleConfigIsAcceptedByNcpsWithTheUnitsEnvironment() throws Exception {
        // The unit's environment: TMPDIR from Environment=, HOME of a DynamicUser.
        ConfigLoader loader = new ConfigLoader(Map.of("TMPDIR", "/var/lib/ncps/tmp", "HOME", "/"), Path.of("/var/lib/ncps"),
                () -> "unused");

        Loaded<ServeConfig> loaded = loader.serve(Map.of(Options.CONFIG, List.of(EXAMPLE_CONFIG.toString())));

        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.config().hostname()).isEqualTo("cache.example.com");
        assertThat(loaded.config().cache().tempDir()).isEqualTo(Path.of("/var/lib/ncps/tmp"));
        assertThat(loaded.config().database().toString()).contains("/var/lib/ncps/db/db.sqlite");
    }

    private static long seconds(String unit, String key) {
        Matcher matcher = Pattern.compile("(?m)^" + key + "=(\\d+)s?$").matcher(unit);
        assertThat(matcher.find()).as("%s= in the unit", key).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
