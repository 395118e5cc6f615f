package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config check against a real upstream, a dead one, a real SQLite database and local storage. */
class ConfigCheckTest {
    private static final String KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";

    @TempDir
    Path dir;

    @Test
    void whatServeWouldUseIsCheckedAndAnUnreachableUpstreamExitsOne() throws Exception {
        Path cacheDir = Files.createDirectories(dir.resolve("upstream"));
        Files.writeString(cacheDir.resolve("nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        try (UpstreamServer upstream = new UpstreamServer(cacheDir)) {
            String dead = "http://" + Processes.LOOPBACK + ":" + Processes.freePort();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int exit = new Cli(config -> 0, config -> 0, new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "host"),
                    level -> { }, stream, stream).run("config", "check", "--cache-storage-local", dir.resolve("data").toString(),
                    "--cache-upstream-url", upstream.url().toString(), "--cache-upstream-url", dead,
                    "--cache-upstream-public-key", upstream.url().getHost() + "-1:" + KEY.substring(KEY.indexOf(':') + 1));
            String output = bytes.toString(StandardCharsets.UTF_8);

            assertThat(exit).as(output).isEqualTo(1);
            assertThat(output).contains("ok      database jdbc:sqlite:" + dir.resolve("data/db/db.sqlite") + ": reachable",
                    "ok      storage", "ok      locks local", "ok      upstream " + upstream.url() + ": nix-cache-info 200",
                    "FAILED  upstream " + dead, "result: valid, but 1 unreachable: upstream " + dead);
        }
    }
}
