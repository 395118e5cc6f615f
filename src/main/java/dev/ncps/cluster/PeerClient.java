package dev.ncps.cluster;

import dev.ncps.cache.DownloadCoordinator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches the bytes of a download in progress from the instance that owns it. The owner holds back
 * the last byte until it has verified and stored the NAR, so a relayed body that ends normally is
 * complete and correct; any failure is an IOException that makes the follower coordinate again.
 */
final class PeerClient implements AutoCloseable {
    private final HttpClient client;
    private final Duration idleTimeout;
    private final String bearerToken;
    private final String bootId;

    PeerClient(Duration connectTimeout, Duration idleTimeout, String bearerToken, String bootId) {
        this.client = new HttpClient();
        this.client.setConnectTimeout(connectTimeout.toMillis());
        this.client.setFollowRedirects(false);
        this.client.setName("peer-client");
        this.idleTimeout = idleTimeout;
        this.bearerToken = bearerToken;
        this.bootId = bootId;
        try {
            this.client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the peer HTTP client: " + e.getMessage(), e);
        }
    }

    InputStream open(URI uri) throws IOException {
        Request request = client.newRequest(uri)
                .idleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put(DownloadCoordinator.PEER_HEADER, bootId);
                    // The owner's spans join the trace of the request relaying them (nothing is sent untraced).
                    W3CTraceContextPropagator.getInstance().inject(Context.current(), headers, HttpFields.Mutable::put);
                    if (bearerToken != null && !bearerToken.isEmpty()) {
                        headers.put(HttpHeader.AUTHORIZATION, "Bearer " + bearerToken);
                    }
                });
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request.send(listener);
        Response response;
        try {
            response = listener.get(client.getConnectTimeout() + idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            request.abort(e);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking peer " + uri.getAuthority(), e);
        } catch (TimeoutException | ExecutionException e) {
            request.abort(e);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("peer " + uri.getAuthority() + " unreachable: " + cause, cause);
        }
        InputStream body = listener.getInputStream();
        if (response.getStatus() != 200) {
            body.close();
            throw new IOException("peer " + uri.getAuthority() + " answered " + response.getStatus());
        }
        return new FilterInputStream(body) {
            @Override
            public void close() throws IOException {
                // Closing before the end must abort the exchange rather than drain it.
                response.abort(new IOException("relay closed"));
                super.close();
            }
        };
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // shutting down
        }
    }
}
