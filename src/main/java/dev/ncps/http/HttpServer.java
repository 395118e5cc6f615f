package dev.ncps.http;

import dev.ncps.cache.Cache;
import dev.ncps.cache.Uploads;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Jetty server in front of the cache. Requests that may block run on virtual threads. Readiness ({@code /readyz})
 * is 503 with a one-line reason while the database does not take writes or the server is stopping; liveness
 * ({@code /healthz}) only says the process answers. Stopping is graceful: the
 * readiness answer turns to 503, the listener closes so a load balancer sends new connections
 * elsewhere, requests in flight finish (bounded by the drain timeout), then the server stops.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** Oversized request headers are refused with 431 before any handler runs. */
    private static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;

    /** The logger of the access log: one line per request. */
    public static final String ACCESS_LOGGER = "ncps.access";

    private final Server server;
    private final ServerConnector connector;
    private final AtomicBoolean ready = new AtomicBoolean(false);

    /**
     * {@code exposition} is what {@code GET /metrics} writes; empty when metrics are off (the route is a 404). With a
     * {@code tracer}, each request is a span ({@link TracingHandler}); empty when tracing is off.
     */
    public HttpServer(HttpSettings settings, Cache cache, Uploads uploads, Optional<MetricsWriter> exposition,
                      HttpListener listener, Optional<Tracer> tracer) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("http");
        ExecutorService requests = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("request-", 0).factory());
        threads.setVirtualThreadsExecutor(requests);
        server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        connector = SendfileEndPoint.connector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);

        // Traced, the virtual thread answering a request runs in the context of the request's span.
        Executor blocking = tracer.isPresent() ? Context.taskWrapping(requests) : requests;
        Handler handler = new CacheHandler(cache, uploads, settings, exposition,
                () -> ready.get() ? cache.databaseProblem() : Optional.of("shutting down"), blocking);
        if (tracer.isPresent()) {
            handler = new TracingHandler(handler, tracer.get());
        }
        server.setHandler(new GracefulHandler(new InFlight(handler, listener)));
        server.setStopTimeout(settings.drainTimeout().toMillis());
        server.setStopAtShutdown(false);
        server.setRequestLog(new AccessLog(ACCESS_LOGGER, listener));
    }

    /** Counts the requests being handled: started when the handler gets one, ended when its response completes. */
    private static final class InFlight extends Handler.Wrapper {
        private final HttpListener listener;

        InFlight(Handler handler, HttpListener listener) {
            super(handler);
            this.listener = listener;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            listener.requestStarted();
            Request.addCompletionListener(request, failure -> listener.requestEnded());
            return super.handle(request, response, callback);
        }
    }

    public void start() throws Exception {
        server.start();
        ready.set(true);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Turns readiness off; requests are still served until {@link #close()}. */
    public void beginDrain() {
        ready.set(false);
    }

    @Override
    public void close() {
        beginDrain();
        try {
            server.stop();
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("drain timeout reached: responses still in progress were cut off");
        } catch (Exception e) {
            log.warn("HTTP server did not stop cleanly: {}", String.valueOf(e));
        }
    }

    public void join() throws InterruptedException {
        server.join();
    }
}
