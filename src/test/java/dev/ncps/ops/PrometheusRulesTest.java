package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shipped alert rules are valid for Prometheus and each alert fires (and only then) as its unit test says. */
@Tag("slow")
class PrometheusRulesTest {
    private static final Path PROMETHEUS = TestDirs.repoRoot().resolve("deploy/prometheus");

    @Test
    void theRulesAreValid() {
        Processes.run("promtool", List.of("promtool", "check", "rules", "ncps-rules.yaml"), Map.of(), PROMETHEUS,
                Duration.ofSeconds(60)).requireSuccess("promtool check rules");
    }

    @Test
    void everyAlertPassesItsUnitTests() {
        Processes.run("promtool", List.of("promtool", "test", "rules", "ncps-rules-test.yaml"), Map.of(),
                PROMETHEUS.resolve("tests"), Duration.ofSeconds(60)).requireSuccess("promtool test rules");
    }

    @Test
    void everyAlertHasAUnitTest() throws Exception {
        String rules = java.nio.file.Files.readString(PROMETHEUS.resolve("ncps-rules.yaml"));
        String tests = java.nio.file.Files.readString(PROMETHEUS.resolve("tests/ncps-rules-test.yaml"));
        List<String> alerts = rules.lines().map(String::strip).filter(line -> line.startsWith("- alert: "))
                .map(line -> line.substring("- alert: ".length())).toList();
        assertThat(alerts).hasSize(9);
        assertThat(alerts).allSatisfy(alert -> assertThat(tests).contains("alertname: " + alert + "\n"));
    }
}
