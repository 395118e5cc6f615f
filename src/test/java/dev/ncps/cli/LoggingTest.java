package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
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

    /** Parses one JSON line strictly enough: JSON is YAML 1.2, and the core schema keeps numbers numbers. */
    private static Map<?, ?> json(String line) {
        assertThat(line.strip()).startsWith("{").endsWith("}");
        return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(line);
    }

    @Test
    void withoutATerminalEachEventIsOneEcsJsonLine() throws Exception {
        String output = logAt(LogLevel.INFO, false);
        assertThat(output.lines()).hasSize(1);
        Map<?, ?> line = json(output);
        assertThat((String) line.get("@timestamp")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
        assertThat(line.get("log.level")).isEqualTo("WARN");
        assertThat(line.get("log.logger")).isEqualTo("dev.ncps.test");
        assertThat(line.get("message")).isEqualTo("cache h is ready");
        assertThat((String) line.get("ecs.version")).startsWith("1.");
    }

    @Test
    void keyValuesBecomeFieldsNumbersStayNumbersAndErrorsAreFields() throws Exception {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging.configure(LogLevel.INFO, false);
        LoggerFactory.getLogger("dev.ncps.test").atWarn().addKeyValue("http.response.status_code", 502)
                .addKeyValue("url.path", "/nar/\"x\".nar").setCause(new IllegalStateException("bad\nthing"))
                .log("line one\nline two");
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output.lines()).hasSize(1);
        Map<?, ?> line = json(output);
        assertThat(line.get("http.response.status_code")).isEqualTo(502);
        assertThat(line.get("url.path")).isEqualTo("/nar/\"x\".nar");
        assertThat(line.get("message")).isEqualTo("line one\nline two");
        assertThat(line.get("error.type")).isEqualTo("java.lang.IllegalStateException");
        assertThat(line.get("error.message")).isEqualTo("bad\nthing");
        assertThat((String) line.get("error.stack_trace")).contains("LoggingTest");
    }

    @Test
    void librariesStayAtWarnAtDebugAndSpeakOnlyAtTrace() {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Logging.configure(LogLevel.DEBUG, true);
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").debug("jetty chatter");
        LoggerFactory.getLogger("com.zaxxer.hikari.pool.HikariPool").info("pool chatter");
        LoggerFactory.getLogger("dev.ncps.upstream").debug("ncps debug line");
        Logging.configure(LogLevel.TRACE, true);
        LoggerFactory.getLogger("org.eclipse.jetty.server.Server").debug("jetty at trace");
        Logging.flush();
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("ncps debug line", "jetty at trace").doesNotContain("jetty chatter", "pool chatter");
    }

    @Test
    void onATerminalLinesAreHumanReadableAndTheLevelFilters() {
        String output = logAt(LogLevel.DEBUG, true);
        assertThat(output.lines()).hasSize(2);
        assertThat(output).contains("DEBUG dev.ncps.test - debug line", "WARN  dev.ncps.test - cache h is ready");
    }
}
