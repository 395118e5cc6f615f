package dev.ncps.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.e2e.LogCapture;
import dev.ncps.testing.OtlpReceiver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

class TracingTest {

    @Test
    void offChangesNothing() {
        Tracing off = Tracing.start(TracingSettings.OFF, "test");
        Supplier<String> port = () -> "x";
        try (ExecutorService executor = Executors.newSingleThreadExecutor()) {
            assertThat(off.tracer()).isEmpty();
            assertThat(off.traced(Supplier.class, port, "port")).isSameAs(port);
            assertThat(off.propagating(executor)).isSameAs(executor);
        }
    }

    @Test
    void withoutAnEndpointEachSpanIsLogged() {
        try (LogCapture log = new LogCapture("ncps.trace")) {
            Tracing on = Tracing.start(new TracingSettings(true, Optional.empty()), "test");
            Tracer tracer = on.tracer().orElseThrow();
            Supplier<String> port = on.traced(Supplier.class, () -> "value", "index");
            Span request = tracer.spanBuilder("GET /x").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                assertThat(port.get()).isEqualTo("value");
            } finally {
                request.end();
            }
            assertThat(port.get()).as("outside a request: no span").isEqualTo("value");
            on.close();

            assertThat(log.messages()).hasSize(2);
            assertThat(log.messages().getFirst()).startsWith("span index.get ");
            assertThat(log.keyValues().getFirst()).containsEntry("parent.id", request.getSpanContext().getSpanId())
                    .containsEntry("trace.id", request.getSpanContext().getTraceId());
        }
    }

    @Test
    void aFailedCallIsAnErrorSpanAndTheFailureReachesTheCaller() {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(collect(ended)).build()) {
            Tracing tracing = new Tracing(provider.get("test"), () -> {});
            Supplier<String> port = tracing.traced(Supplier.class, () -> {
                throw new IllegalStateException("storage on fire");
            }, "store");
            Span request = provider.get("test").spanBuilder("GET /x").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                assertThatThrownBy(port::get).isInstanceOf(IllegalStateException.class).hasMessage("storage on fire");
            }
            assertThat(ended).singleElement().satisfies(span -> {
                assertThat(span.getName()).isEqualTo("store.get");
                assertThat(span.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
                assertThat(span.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
            });
        }
    }

    @Test
    void theGrpcSenderReportsTheReceiversStatus() throws Exception {
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(collect(ended)).build()) {
            provider.get("test").spanBuilder("one").startSpan().end();
        }
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            SpanExporter right = SdkTracing.otlp(receiver.url());
            SpanExporter wrongPath = SdkTracing.otlp(URI.create(receiver.url() + "/not-otlp"));
            try {
                CompletableResultCode accepted = right.export(ended).join(10, TimeUnit.SECONDS);
                CompletableResultCode refused = wrongPath.export(ended).join(10, TimeUnit.SECONDS);

                assertThat(accepted.isSuccess()).isTrue();
                assertThat(receiver.spans()).singleElement().satisfies(s -> assertThat(s.name()).isEqualTo("one"));
                assertThat(refused.isSuccess()).isFalse();
                assertThat(receiver.errors()).singleElement().asString().startsWith("unknown method /not-otlp/");
            } finally {
                right.shutdown().join(5, TimeUnit.SECONDS);
                wrongPath.shutdown().join(5, TimeUnit.SECONDS);
            }
        }
    }

    private static SpanProcessor collect(List<SpanData> ended) {
        return new SpanProcessor() {
            @Override public void onStart(Context parentContext, ReadWriteSpan span) {}
            @Override public boolean isStartRequired() { return false; }
            @Override public void onEnd(ReadableSpan span) { ended.add(span.toSpanData()); }
            @Override public boolean isEndRequired() { return true; }
        };
    }
}
