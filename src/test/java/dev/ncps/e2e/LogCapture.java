package dev.ncps.e2e;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/** Records what one logger (and its children) logs at INFO and above while open. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
        this.previousLevel = logger.getLevel();
        if (!logger.isInfoEnabled()) {
            logger.setLevel(Level.INFO);
        }
        appender.start();
        logger.addAppender(appender);
    }

    /** The formatted messages so far, oldest first. */
    public List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Whether each event so far carries an exception (whose stack trace the log would print), oldest first. */
    public List<Boolean> withExceptions() {
        synchronized (appender) {
            return appender.list.stream().map(event -> event.getThrowableProxy() != null).toList();
        }
    }

    /** The structured fields (SLF4J key-value pairs) of each event so far, oldest first. */
    public List<Map<String, Object>> keyValues() {
        synchronized (appender) {
            return appender.list.stream().map(event -> {
                Map<String, Object> fields = new LinkedHashMap<>();
                if (event.getKeyValuePairs() != null) {
                    event.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
                }
                return fields;
            }).toList();
        }
    }

    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
    }
}
