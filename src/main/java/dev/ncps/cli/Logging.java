package dev.ncps.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.ncps.config.LogLevel;
import java.io.Console;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logback set up in code: human-readable lines on a terminal, JSON lines otherwise (what log collectors
 * parse). Logs go to stderr so stdout stays for command output such as keygen's keys.
 */
final class Logging {
    private Logging() {}

    static void configure(LogLevel level) {
        Console console = System.console();
        configure(level, console != null && console.isTerminal());
    }

    static void configure(LogLevel level, boolean human) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        Encoder<ILoggingEvent> encoder = human ? humanEncoder(context) : jsonEncoder(context);
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("console");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level.name()));
        // Libraries narrate their start-up at INFO; ncps says what matters itself.
        Level quiet = root.getLevel().isGreaterOrEqual(Level.INFO) ? Level.WARN : root.getLevel();
        for (String library : new String[] {"com.zaxxer.hikari", "org.flywaydb", "org.eclipse.jetty", "software.amazon.awssdk", "redis.clients"}) {
            context.getLogger(library).setLevel(quiet);
        }
        root.addAppender(appender);
    }

    private static Encoder<ILoggingEvent> humanEncoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // The default writes the raw "{}" pattern plus an arguments array; a formatted message is what people grep.
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.start();
        return encoder;
    }
}
