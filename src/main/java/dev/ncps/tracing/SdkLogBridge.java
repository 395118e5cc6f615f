package dev.ncps.tracing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The OpenTelemetry SDK reports failed exports through java.util.logging, which would print two-line
 * records with stack traces on standard error beside ncps's own log. This sends them to ncps's log
 * instead (same logger names, one line, the cause's message without its stack).
 */
final class SdkLogBridge extends Handler {
    /** Held for as long as tracing runs: java.util.logging keeps loggers only weakly, and their handlers with them. */
    private final java.util.logging.Logger sdk = java.util.logging.Logger.getLogger("io.opentelemetry");

    SdkLogBridge() {
        sdk.setUseParentHandlers(false);
        sdk.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        Logger log = LoggerFactory.getLogger(record.getLoggerName() == null ? "io.opentelemetry" : record.getLoggerName());
        String message = record.getMessage() + (record.getThrown() == null ? "" : ": " + record.getThrown());
        int level = record.getLevel().intValue();
        if (level >= Level.WARNING.intValue()) {
            log.warn(message);
        } else if (level >= Level.INFO.intValue()) {
            log.info(message);
        } else {
            log.debug(message);
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        sdk.removeHandler(this);
        sdk.setUseParentHandlers(true);
    }
}
