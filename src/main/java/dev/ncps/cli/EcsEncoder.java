package dev.ncps.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.ncps.nix.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line in the Elastic Common Schema (ECS 1.x) layout, which Elasticsearch, Loki, Vector,
 * Fluent Bit and Datadog parse without configuration: {@code @timestamp} (ISO-8601, UTC), {@code log.level},
 * {@code log.logger}, {@code message}, {@code process.thread.name}, {@code error.*} for a throwable, and every
 * SLF4J key-value pair of the event as a field of its own (the access log uses ECS names such as
 * {@code http.response.status_code}). Numbers stay numbers so a pipeline can aggregate them.
 */
final class EcsEncoder extends EncoderBase<ILoggingEvent> {
    static final String ECS_VERSION = "1.12.0";

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder json = new StringBuilder(256);
        json.append("{\"@timestamp\":\"").append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(event.getTimeStamp())))
                .append('"');
        field(json, "log.level", event.getLevel().toString());
        field(json, "log.logger", event.getLoggerName());
        field(json, "message", event.getFormattedMessage());
        field(json, "process.thread.name", event.getThreadName());
        field(json, "ecs.version", ECS_VERSION);
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.value instanceof Number || pair.value instanceof Boolean) {
                    json.append(',');
                    JsonString.append(pair.key, json);
                    json.append(':').append(pair.value);
                } else if (pair.value != null) {
                    field(json, pair.key, pair.value.toString());
                }
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            field(json, "error.type", thrown.getClassName());
            field(json, "error.message", thrown.getMessage() == null ? "" : thrown.getMessage());
            field(json, "error.stack_trace", ThrowableProxyUtil.asString(thrown));
        }
        return json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(',');
        JsonString.append(name, json);
        json.append(':');
        JsonString.append(value, json);
    }
}
