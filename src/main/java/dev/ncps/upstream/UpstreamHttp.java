package dev.ncps.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientConnectionFactory;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.ClientConnectionFactoryOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET requests to upstreams with every timeout bounded:
 * <pre>
 *  connect ──(dialTimeout)──► request sent ──(responseHeaderTimeout)──► headers ──► body chunks
 *                                                                        each gap ≤ bodyIdleTimeout
 * </pre>
 * Bodies stream through a blocking {@link InputStream} (nothing is buffered whole). Transport errors that mean
 * "the connection went away under us" (reset, broken pipe, GOAWAY, EOF before the response) are retried with
 * backoff; HTTP statuses never are. Redirects are followed here (not by Jetty) so that netrc credentials are
 * only ever sent to the host they belong to, and so that every hop passes the upstream's {@link TargetPolicy}:
 * URL rules before the request, address rules when {@link PolicyResolver} resolves its host.
 */
final class UpstreamHttp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamHttp.class);

    private static final int MAX_REDIRECTS = 5;
    private static final int DISCARD_LIMIT = 64 * 1024;
    private static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    private static final Duration BACKOFF_CAP = Duration.ofSeconds(2);

    private final HttpClient client;
    private final UpstreamOptions options;
    private final Netrc netrc;
    private final UpstreamListener listener;

    UpstreamHttp(UpstreamOptions options, Netrc netrc, UpstreamListener listener) {
        this(options, netrc, listener, new SslContextFactory.Client());
    }

    /** @param tls how TLS peers are verified (the JDK's trusted CAs by default; tests trust their own) */
    UpstreamHttp(UpstreamOptions options, Netrc netrc, UpstreamListener listener, SslContextFactory.Client tls) {
        this.options = options;
        this.netrc = netrc;
        this.listener = listener;
        this.client = new HttpClient(transport(tls));
        client.setSocketAddressResolver(new PolicyResolver());
        ProxyRoutes.install(client, options.proxies());
        client.setConnectTimeout(options.dialTimeout().toMillis());
        client.setIdleTimeout(options.bodyIdleTimeout().toMillis());
        client.setFollowRedirects(false);
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "ncps-java/" + version()));
        // Bytes must arrive exactly as the upstream stores them: FileHash is checked over them.
        client.getContentDecoderFactories().clear();
    }

    /**
     * HTTP/2 where the upstream offers it over TLS (ALPN), else HTTP/1.1: many NAR requests share one connection
     * per upstream instead of one connection each. Plain {@code http://} upstreams get HTTP/1.1 (listed first,
     * so it is what a connection without ALPN speaks); h2c, HTTP/2 without TLS, is rarely offered by caches.
     */
    private static HttpClientTransportDynamic transport(SslContextFactory.Client tls) {
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(tls);
        HTTP2Client http2 = new HTTP2Client(connector);
        return new HttpClientTransportDynamic(connector, HttpClientConnectionFactory.HTTP11,
                new ClientConnectionFactoryOverHTTP2.HTTP2(http2));
    }

    void start() {
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream HTTP client: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the upstream HTTP client: " + e.getMessage(), e);
        }
    }

    /** A response whose headers have arrived. Closing it before the end of the body aborts the request. */
    record Exchange(URI uri, Request request, Response response, InputStream body) implements AutoCloseable {
        int status() {
            return response.getStatus();
        }

        HttpFields headers() {
            return response.getHeaders();
        }

        /** The whole body as UTF-8; fails if it is longer than {@code maxBytes}. */
        String readText(int maxBytes) throws UpstreamException {
            try {
                byte[] bytes = body.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    throw new UpstreamException(UpstreamException.Kind.FAILED,
                            MaskedUri.of(uri) + ": body is longer than " + maxBytes + " bytes");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw failure(uri, "reading the body", e);
            }
        }

        /** Reads a small unwanted body to its end so that the connection can be reused. */
        void discard() {
            try {
                byte[] rest = body.readNBytes(DISCARD_LIMIT);
                if (rest.length == DISCARD_LIMIT) {
                    request.abort(new IOException("unwanted body too long"));
                }
            } catch (IOException | UncheckedIOException e) {
                request.abort(e);
            }
        }

        @Override
        public void close() {
            request.abort(new IOException("closed before the end of the body"));
            try {
                body.close();
            } catch (IOException ignored) {
                // The request is aborted already; there is nothing left to release.
            }
        }
    }

    /**
     * GET {@code uri} for {@code upstream}; {@code identity} asks for the stored bytes without HTTP content
     * encoding. A target its policy refuses fails with FAILED before any connection to it.
     */
    Exchange get(Upstream upstream, URI uri, boolean identity) throws UpstreamException {
        for (int attempt = 1; ; attempt++) {
            try {
                return getFollowingRedirects(upstream, uri, identity);
            } catch (UpstreamException e) {
                if (attempt >= options.maxAttempts() || !isRetryable(e.getCause())) {
                    throw e;
                }
                sleep(backoff(attempt));
            }
        }
    }

    static Duration backoff(int attempt) {
        Duration delay = BACKOFF_BASE.multipliedBy(1L << Math.min(attempt - 1, 10));
        return delay.compareTo(BACKOFF_CAP) > 0 ? BACKOFF_CAP : delay;
    }

    private Exchange getFollowingRedirects(Upstream upstream, URI uri, boolean identity) throws UpstreamException {
        TargetPolicy policy = upstream.policy();
        if (uri.getHost() == null) {
            throw new UpstreamException(UpstreamException.Kind.FAILED, "upstream " + policy.upstreamName()
                    + ": a URL without a valid host");
        }
        Optional<TargetPolicy.Verdict> first = policy.checkFirst(uri, upstream.base());
        if (first.isPresent()) {
            throw refused(upstream, uri, first.get());
        }
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            Exchange exchange = send(upstream, current, identity);
            String location = exchange.headers().get(HttpHeader.LOCATION);
            if (!isRedirect(exchange.status()) || location == null) {
                return exchange;
            }
            exchange.discard();
            exchange.close();
            if (redirects == MAX_REDIRECTS) {
                throw refused(upstream, uri, new TargetPolicy.Verdict(TargetPolicy.Refusal.TOO_MANY_REDIRECTS,
                        "more than " + MAX_REDIRECTS));
            }
            URI next;
            try {
                next = current.resolve(location);
            } catch (IllegalArgumentException e) {
                throw new UpstreamException(UpstreamException.Kind.FAILED, "upstream " + policy.upstreamName()
                        + ": redirect to an invalid URL");
            }
            if (!"http".equalsIgnoreCase(next.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())
                    || next.getHost() == null) {
                throw new UpstreamException(UpstreamException.Kind.FAILED, "upstream " + policy.upstreamName()
                        + ": redirect to a non-HTTP URL");
            }
            Optional<TargetPolicy.Verdict> hop = policy.checkHop(current, next);
            if (hop.isPresent()) {
                throw refused(upstream, next, hop.get());
            }
            current = next;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Logs and counts a refusal and returns the failure for it, which names the upstream and the kind of
     * target but not the target: the message may reach clients.
     */
    private UpstreamException refused(Upstream upstream, URI target, TargetPolicy.Verdict verdict) {
        log.warn("upstream {}: refused {}: {} ({})", upstream.policy().upstreamName(), Hosts.masked(target),
                verdict.refusal().description(), verdict.detail());
        listener.targetRefused(upstream, verdict.refusal().label());
        return UpstreamException.forClients(UpstreamException.Kind.FAILED, "upstream " + upstream.policy().upstreamName()
                + " sent us to " + verdict.refusal().description() + ", which is refused");
    }

    private Exchange send(Upstream upstream, URI uri, boolean identity) throws UpstreamException {
        if (options.proxies().proxyFor(uri.getScheme(), uri.getHost(), Hosts.port(uri)).isPresent()) {
            // The proxy resolves the name, so only what is internal without DNS can be refused here.
            Optional<TargetPolicy.Verdict> verdict = upstream.policy().checkProxied(uri.getHost(), Hosts.port(uri));
            if (verdict.isPresent()) {
                throw refused(upstream, uri, verdict.get());
            }
        }
        long headerMillis = options.responseHeaderTimeout().toMillis();
        Optional<String> authorization = authorization(uri);
        Request request = client.newRequest(uri)
                .tag(upstream.policy())
                .method(HttpMethod.GET)
                .idleTimeout(options.bodyIdleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    if (identity) {
                        headers.put(HttpHeader.ACCEPT_ENCODING, "identity");
                    }
                    authorization.ifPresent(value -> headers.put(HttpHeader.AUTHORIZATION, value));
                });
        // The header timeout starts once the request is on the wire, so it does not include connecting.
        AtomicReference<Scheduler.Task> headerTimer = new AtomicReference<>();
        request.onRequestCommit(r -> headerTimer.set(client.getScheduler().schedule(
                () -> r.abort(new TimeoutException("no response headers within " + headerMillis + " ms")),
                headerMillis, TimeUnit.MILLISECONDS)));
        request.onResponseBegin(r -> cancel(headerTimer));
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request.send(listener);
        // Outer bound only as a safety net: connect and header timeouts fire first.
        long outerMillis = options.dialTimeout().toMillis() + headerMillis + 1000;
        try {
            Response response = listener.get(outerMillis, TimeUnit.MILLISECONDS);
            return new Exchange(uri, request, response, listener.getInputStream());
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(uri) + ": interrupted", e);
        } catch (TimeoutException e) {
            request.abort(e);
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT,
                    MaskedUri.of(uri) + ": no response within " + outerMillis + " ms", e);
        } catch (ExecutionException e) {
            PolicyResolver.RefusedException refusal = refusalIn(e.getCause());
            if (refusal != null) {
                throw refused(upstream, uri, refusal.verdict());
            }
            throw failure(uri, "request", e.getCause());
        } finally {
            cancel(headerTimer);
        }
    }

    private static PolicyResolver.RefusedException refusalIn(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PolicyResolver.RefusedException refusal) {
                return refusal;
            }
        }
        return null;
    }

    private static void cancel(AtomicReference<Scheduler.Task> timer) {
        Scheduler.Task task = timer.get();
        if (task != null) {
            task.cancel();
        }
    }

    private Optional<String> authorization(URI uri) {
        return netrc.credentialsFor(uri.getHost()).map(credentials -> "Basic " + Base64.getEncoder().encodeToString(
                (credentials.login() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
    }

    /** Maps a transport failure to TIMEOUT or FAILED with a one-line reason. */
    static UpstreamException failure(URI uri, String during, Throwable cause) {
        if (cause instanceof UpstreamException e) {
            return e;
        }
        if (cause instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(uri) + ": interrupted", cause);
        }
        boolean timeout = isTimeout(cause);
        String message = describe(cause);
        return new UpstreamException(timeout ? UpstreamException.Kind.TIMEOUT : UpstreamException.Kind.FAILED,
                MaskedUri.of(uri) + ": " + during + " failed: " + message, cause);
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message != null && message.length() > 160) {
            // Jetty puts whole connection dumps into some messages; a log line needs the gist only.
            message = message.substring(0, 160) + "…";
        }
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A connection that died under a request: worth a new attempt on a fresh connection. */
    static boolean isRetryable(Throwable cause) {
        if (isTimeout(cause)) {
            return false;
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof EOFException || t instanceof ClosedChannelException) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("connection reset") || message.contains("broken pipe")
                    || message.contains("goaway")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTimeout(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static void sleep(Duration delay) throws UpstreamException {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.FAILED, "interrupted while waiting to retry", e);
        }
    }

    private static String version() {
        Properties properties = new Properties();
        try (InputStream in = UpstreamHttp.class.getResourceAsStream("/ncps-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
