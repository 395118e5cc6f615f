package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        Logging.configure(LogLevel.INFO, true);
    }

    private String logAt(LogLevel level, boolean human) {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging.configure(level, human);
        var log = LoggerFactory.getLogger("dev.ncps.test");
        log.debug("debug {}", "line");
        log.warn("cache {} is {}", "h", "ready");
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATerminalEachEventIsOneJsonLineWithTheFormattedMessage() {
        String output = logAt(LogLevel.INFO, false);
        assertThat(output.lines()).singleElement().asString()
                .startsWith("{").contains("\"level\":\"WARN\"", "\"formattedMessage\":\"cache h is ready\"")
                .doesNotContain("\"message\"", "\"arguments\"");
    }

    @Test
    void onATerminalLinesAreHumanReadableAndTheLevelFilters() {
        String output = logAt(LogLevel.DEBUG, true);
        assertThat(output.lines()).hasSize(2);
        assertThat(output).contains("DEBUG dev.ncps.test - debug line", "WARN  dev.ncps.test - cache h is ready");
    }
}
