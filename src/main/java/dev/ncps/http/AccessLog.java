package dev.ncps.http;

import dev.ncps.nix.Sizes;
import io.opentelemetry.api.trace.SpanContext;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Set;

/**
 * One log event per request: a readable line ({@code GET /nar/x.nar.xz 200 1.2 MiB 35 ms hit}) and the same
 * facts as structured fields with Elastic Common Schema names, which the JSON log format writes as fields of
 * their own. What the cache did for the request (hit, miss, peer) and which upstream served it come from
 * request attributes the handler sets. The same completion feeds the request metrics ({@link HttpListener}).
 */
final class AccessLog implements RequestLog {
    /** Request attribute: what the cache did for this request, e.g. hit, miss or peer. */
    static final String CACHE_RESULT = "ncps.cache.result";
    /** Request attribute: the configured name of the upstream that served a miss. */
    static final String UPSTREAM = "ncps.upstream";
    /** Request attribute: the {@link Route.Routed} the handler dispatched on. */
    static final String ROUTE = "ncps.route";
    /** Request attribute: the {@code SpanContext} of the request's server span, when tracing is on. */
    static final String SPAN = "ncps.span";

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS");

    private final Logger log;
    private final HttpListener listener;

    AccessLog(String loggerName, HttpListener listener) {
        this.log = LoggerFactory.getLogger(loggerName);
        this.listener = listener;
    }

    @Override
    public void log(Request request, Response response) {
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        int status = response.getStatus();
        long bytes = Response.getContentBytesWritten(response);
        long nanos = NanoTime.since(request.getBeginNanoTime());
        // Jetty answers some requests (a malformed URI) before the handler has routed them.
        Route.Routed routed = request.getAttribute(ROUTE) instanceof Route.Routed r ? r : Route.Routed.of(path);
        listener.responded(routed.template(), METHODS.contains(method) ? method : "_OTHER", status, bytes, nanos);
        if (!log.isInfoEnabled()) {
            return;
        }
        Object result = request.getAttribute(CACHE_RESULT);
        Object upstream = request.getAttribute(UPSTREAM);
        LoggingEventBuilder event = log.atInfo()
                .addKeyValue("http.request.method", method)
                .addKeyValue("url.path", path)
                .addKeyValue("http.response.status_code", status)
                .addKeyValue("http.response.body.bytes", bytes)
                .addKeyValue("event.duration", nanos)
                .addKeyValue("client.address", Request.getRemoteAddr(request));
        String agent = request.getHeaders().get("User-Agent");
        if (agent != null) {
            event = event.addKeyValue("user_agent.original", agent);
        }
        if (result != null) {
            event = event.addKeyValue(CACHE_RESULT, result.toString());
        }
        if (upstream != null) {
            event = event.addKeyValue(UPSTREAM, upstream.toString());
        }
        String trace = "";
        if (request.getAttribute(SPAN) instanceof SpanContext span && span.isValid()) {
            event = event.addKeyValue("trace.id", span.getTraceId()).addKeyValue("span.id", span.getSpanId());
            trace = " trace " + span.getTraceId();
        }
        event.log(method + " " + path + " " + status + " " + Sizes.human(bytes) + " " + humanDuration(nanos)
                + (result == null ? "" : " " + result) + (upstream == null ? "" : " from " + upstream) + trace);
    }

    private static String humanDuration(long nanos) {
        long micros = nanos / 1_000;
        if (micros >= 10_000) {
            return micros / 1000 + " ms";
        }
        long hundredths = (micros + 5) / 10;
        return hundredths / 100 + (hundredths % 100 < 10 ? ".0" : ".") + hundredths % 100 + " ms";
    }
}
