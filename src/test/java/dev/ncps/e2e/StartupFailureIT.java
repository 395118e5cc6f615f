package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The real executable on a port another program holds: exit code 1 and, in its JSON log, one ERROR line that names
 * the option and the fix, with the stack trace only at debug level.
 */
@Tag("slow")
class StartupFailureIT {

    private static Processes.Completed serveOn(int port, String logLevel) {
        Path dir = TestDirs.newWorkDir("startup-failure");
        Map<String, String> env = new HashMap<>(Map.of(
                "HOME", dir.toString(),
                "CACHE_STORAGE_LOCAL", dir.resolve("storage").toString(),
                "CACHE_TEMP_PATH", dir.resolve("tmp").toString(),
                "CACHE_HOSTNAME", "test.local",
                "CACHE_UPSTREAM_URLS", "http://" + Processes.LOOPBACK + ":9",
                "CACHE_UPSTREAM_PUBLIC_KEYS", "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=",
                "SERVER_ADDR", Processes.LOOPBACK + ":" + port,
                "LOG_LEVEL", logLevel));
        return Processes.run("ncps-port-in-use", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", NcpsProcess.locateJar().toString(), "serve"), env, dir,
                Duration.ofSeconds(60));
    }

    private static List<Map<?, ?>> errors(Processes.Completed run) {
        Load json = new Load(LoadSettings.builder().build());
        return run.output().lines().filter(line -> line.startsWith("{"))
                .<Map<?, ?>>map(line -> (Map<?, ?>) json.loadFromString(line))
                .filter(event -> "ERROR".equals(event.get("log.level"))).toList();
    }

    @Test
    void aPortInUseIsOneErrorLineWithExitCode1() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Processes.LOOPBACK))) {
            int port = taken.getLocalPort();
            Processes.Completed run = serveOn(port, "info");

            assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
            assertThat(errors(run)).as(run.output()).singleElement().satisfies(event -> {
                assertThat(event.get("message")).isEqualTo("ncps cannot start: --server-addr " + Processes.LOOPBACK + ":"
                        + port + ": the port is already in use by another program (another ncps?); stop it or choose"
                        + " another address, e.g. --server-addr :" + (port + 1));
                assertThat(event.keySet()).noneMatch(key -> key.toString().startsWith("error."));
            });
            assertThat(run.output()).doesNotContain("\tat ");
        }
    }

    @Test
    void atDebugLevelTheErrorLineCarriesTheStackTrace() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Processes.LOOPBACK))) {
            Processes.Completed run = serveOn(taken.getLocalPort(), "debug");

            assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
            assertThat(errors(run)).as(run.output()).anySatisfy(event -> {
                assertThat(event.get("message").toString()).startsWith("ncps cannot start: --server-addr ");
                assertThat(event.get("error.stack_trace").toString()).contains("BindException");
            });
        }
    }
}
