package dev.ncps.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * OpenTelemetry traces of ncps (docs/operations/tracing.md). Off by default, and then nothing of the SDK is
 * loaded: {@link #traced} and {@link #propagating} return what they are given, no exporter or thread exists.
 * On, each request gets a server span (http.TracingHandler) and the calls the cache makes through its
 * ports (index, storage, upstream, locks) become its children; executors that carry work of a request to
 * another thread carry its context along.
 */
public final class Tracing implements AutoCloseable {
    private static final Tracing OFF = new Tracing(null, () -> {});

    private final Tracer tracer;
    private final Runnable shutdown;

    Tracing(Tracer tracer, Runnable shutdown) {
        this.tracer = tracer;
        this.shutdown = shutdown;
    }

    /** Tracing as configured; {@code serviceVersion} names this build in the spans' resource. */
    public static Tracing start(TracingSettings settings, String serviceVersion) {
        return settings.enabled() ? SdkTracing.start(settings, serviceVersion) : OFF;
    }

    /** The tracer of the spans, empty when tracing is off. */
    public Optional<Tracer> tracer() {
        return Optional.ofNullable(tracer);
    }

    /**
     * {@code target} whose every call is a span named {@code component.method}, child of the current one;
     * {@code target} itself when tracing is off. For the cache's ports, which are interfaces.
     */
    public <T> T traced(Class<T> port, T target, String component) {
        if (tracer == null) {
            return target;
        }
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port},
                new TracedPort(tracer, component, target)));
    }

    /** An executor whose tasks run in the trace context of whoever submitted them; {@code executor} when off. */
    public ExecutorService propagating(ExecutorService executor) {
        return tracer == null ? executor : Context.taskWrapping(executor);
    }

    /** Sends the spans still buffered and stops the exporter. */
    @Override
    public void close() {
        shutdown.run();
    }
}
