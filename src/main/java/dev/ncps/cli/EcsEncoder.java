package dev.ncps.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import dev.ncps.nix.JsonString;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
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

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);

    private volatile Second second = new Second(Long.MIN_VALUE, "");

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
        StringBuilder json = new StringBuilder(384);
        json.append("{\"@timestamp\":\"");
        appendTimestamp(event.getTimeStamp(), json);
        json.append('"');
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

    /**
     * ISO-8601 in UTC with milliseconds, {@code 2026-12-02T05:50:01.042Z}. Formatting an {@code Instant} each time
     * was the largest single cost of an access-log line, so the part up to the second is kept for the second it
     * names (one logging thread at a time sees a consistent pair through the record).
     */
    private void appendTimestamp(long epochMillis, StringBuilder json) {
        long second = Math.floorDiv(epochMillis, 1000);
        Second cached = this.second;
        if (cached.epochSecond != second) {
            cached = new Second(second, SECONDS.format(
                    LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC)));
            this.second = cached;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        json.append(cached.text).append('.').append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10)).append('Z');
    }

    private record Second(long epochSecond, String text) {
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(',');
        JsonString.append(name, json);
        json.append(':');
        JsonString.append(value, json);
    }
}
