package dev.ncps.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.ncps.config.LogLevel;
import java.io.Console;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback set up in code: human-readable lines on a terminal, JSON lines in the Elastic Common Schema
 * otherwise (what log collectors parse, see {@link EcsEncoder}). Logs go to stderr so stdout stays for command output such
 * as keygen's keys, written in batches ({@link BatchingAppender}).
 */
public final class Logging {
    private static final String[] LIBRARIES = {"com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty",
        "software.amazon.awssdk", "org.apache.hc", "redis.clients", "org.sqlite", "org.postgresql", "org.mariadb"};

    private static final String APPENDER = "stderr";

    private Logging() {}

    /** Writes the log lines still waiting for the log's writer thread; called before the process exits. */
    public static void flush() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(APPENDER) instanceof BatchingAppender appender) {
            appender.flush();
        }
    }

    public static void configure(LogLevel level) {
        Console console = System.console();
        configure(level, console != null && console.isTerminal());
    }

    static void configure(LogLevel level, boolean human) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder = human ? humanEncoder(context) : new EcsEncoder();
        encoder.setContext(context);
        encoder.start();
        BatchingAppender appender = new BatchingAppender(encoder, System.err);
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.name()));
        // Libraries narrate at INFO and flood at DEBUG (thousands of lines a second from Jetty and HikariCP);
        // ncps says what matters itself. Only trace, the "show me everything" level, lets them speak.
        Level quiet = level == LogLevel.TRACE ? Level.DEBUG : Level.WARN;
        for (String library : LIBRARIES) {
            context.getLogger(library).setLevel(quiet);
        }
        root.addAppender(appender);
    }

    private static Encoder<ILoggingEvent> humanEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        return encoder;
    }
}
