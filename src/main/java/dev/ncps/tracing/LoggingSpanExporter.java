package dev.ncps.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * Tracing on without an OTLP endpoint: each finished span is a log line (logger {@code ncps.trace}), as the
 * Go ncps prints spans to stdout then. Meant for a quick look, not for production.
 */
final class LoggingSpanExporter implements SpanExporter {
    private static final Logger log = LoggerFactory.getLogger("ncps.trace");

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        for (SpanData span : spans) {
            log.atInfo()
                    .addKeyValue("trace.id", span.getTraceId())
                    .addKeyValue("span.id", span.getSpanId())
                    .addKeyValue("parent.id", span.getParentSpanId())
                    .addKeyValue("event.duration", span.getEndEpochNanos() - span.getStartEpochNanos())
                    .log("span {} {} µs {}", span.getName(), (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000,
                            span.getAttributes().asMap());
        }
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
