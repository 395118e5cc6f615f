package dev.ncps.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.Set;

/**
 * Makes every call through a port, made while a request's span is current, a child span. One dynamic proxy rather than a hand-written decorator per port:
 * the index alone has twenty methods, and a decorator would repeat the same five lines in each. The proxy
 * exists only while tracing is on. A call's first argument names what it is about: a String (a hash or a
 * storage key) becomes {@code ncps.key}; a URI only its host, {@code server.address} (never the URL, which
 * may carry credentials).
 */
final class TracedPort implements InvocationHandler {
    /**
     * Called too often, or too late, to be worth a span, answered without doing anything, or answered later on
     * another thread (a span would end before the work).
     */
    private static final Set<String> UNTRACED = Set.of("close", "problem", "mode", "overlapsUploads", "narInfoTextSoon",
            "toString", "hashCode", "equals");

    private final Tracer tracer;
    private final String component;
    private final Object target;

    TracedPort(Tracer tracer, String component, Object target) {
        this.tracer = tracer;
        this.component = component;
        this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        // Only work done for a request is traced: background work (access times, LRU, gauges) would make
        // a trace of one span per call.
        if (UNTRACED.contains(method.getName()) || !Span.current().getSpanContext().isValid()) {
            return call(method, args);
        }
        Span span = tracer.spanBuilder(component + "." + method.getName()).startSpan();
        if (args != null && args.length > 0) {
            switch (args[0]) {
                case String key -> span.setAttribute("ncps.key", key);
                case URI uri when uri.getHost() != null -> span.setAttribute("server.address", uri.getHost());
                case null, default -> { }
            }
        }
        try (Scope ignored = span.makeCurrent()) {
            return call(method, args);
        } catch (Throwable e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
