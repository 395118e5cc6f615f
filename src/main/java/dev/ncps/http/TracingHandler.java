package dev.ncps.http;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One server span per request, named after its route template ({@code GET /nar/{hash}.nar}), child of the
 * W3C {@code traceparent} the request carries (another ncps relaying a download, or a traced client). The
 * span is current while the handler runs; the handler's executor carries it to the virtual thread that
 * answers. It ends when the response is complete, with the status and what the cache did
 * ({@link AccessLog#CACHE_RESULT}, {@link AccessLog#UPSTREAM}); the access log line names its trace.
 */
final class TracingHandler extends Handler.Wrapper {
    private static final TextMapGetter<HttpFields> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpFields fields) {
            return fields.getFieldNamesCollection();
        }

        @Override
        public String get(HttpFields fields, String name) {
            return fields == null ? null : fields.get(name);
        }
    };

    private final Tracer tracer;

    TracingHandler(Handler handler, Tracer tracer) {
        super(handler);
        this.tracer = tracer;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request.getHeaders(), HEADERS);
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        // Parsed once per request: the handler and the access log reuse it.
        Route.Routed routed = Route.Routed.of(path);
        request.setAttribute(AccessLog.ROUTE, routed);
        String route = routed.template();
        Span span = tracer.spanBuilder(method + " " + route).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", method)
                .setAttribute("http.route", route)
                .setAttribute("url.path", path)
                .setAttribute("client.address", Request.getRemoteAddr(request))
                .startSpan();
        String agent = request.getHeaders().get("User-Agent");
        if (agent != null) {
            span.setAttribute("user_agent.original", agent);
        }
        request.setAttribute(AccessLog.SPAN, span.getSpanContext());
        Request.addCompletionListener(request, failure -> end(span, request, response, failure));
        try (Scope ignored = span.makeCurrent()) {
            return super.handle(request, response, callback);
        }
    }

    private static void end(Span span, Request request, Response response, Throwable failure) {
        int status = response.getStatus();
        span.setAttribute("http.response.status_code", status);
        span.setAttribute("http.response.body.size", Response.getContentBytesWritten(response));
        Object result = request.getAttribute(AccessLog.CACHE_RESULT);
        if (result != null) {
            span.setAttribute(AccessLog.CACHE_RESULT, result.toString());
        }
        Object upstream = request.getAttribute(AccessLog.UPSTREAM);
        if (upstream != null) {
            span.setAttribute(AccessLog.UPSTREAM, upstream.toString());
        }
        if (failure != null) {
            span.recordException(failure);
        }
        if (status >= 500 || failure != null) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
