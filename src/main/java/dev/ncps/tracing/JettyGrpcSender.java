package dev.ncps.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends OTLP export requests as unary gRPC calls over HTTP/2 with Jetty's client, which ncps already ships:
 * the OpenTelemetry exporter's own gRPC senders need OkHttp (and Kotlin's runtime) or grpc-java, and the
 * JDK's HttpClient cannot speak HTTP/2 without TLS nor read trailers. {@code http://} endpoints get HTTP/2
 * with prior knowledge (h2c), as gRPC servers expect; {@code https://} endpoints negotiate h2 by ALPN.
 *
 * <p>A gRPC message is a 5-byte prefix (compressed flag, big-endian length) and the protobuf bytes; the
 * call's status is in the {@code grpc-status} trailer, or in the headers of a trailers-only answer.
 * Failed exports are not retried: the batch span processor drops them and the next batch goes out.
 */
final class JettyGrpcSender implements GrpcSender {
    private final HttpClient client;
    private final URI target;
    private final GrpcSenderConfig config;

    JettyGrpcSender(GrpcSenderConfig config) {
        this.config = config;
        String endpoint = config.getEndpoint().toString();
        this.target = URI.create((endpoint.endsWith("/") ? endpoint : endpoint + "/") + config.getFullMethodName());
        ClientConnector connector = new ClientConnector();
        connector.setConnectTimeout(config.getConnectTimeout());
        SslContextFactory.Client tls = new SslContextFactory.Client();
        if (config.getSslContext() != null) {
            tls.setSslContext(config.getSslContext());
        }
        connector.setSslContextFactory(tls);
        this.client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client(connector)));
        this.client.setName("otlp-exporter");
        try {
            this.client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the OTLP gRPC client: " + e.getMessage(), e);
        }
    }

    @Override
    public void send(MessageWriter message, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        byte[] body;
        try {
            body = frame(message, config.getCompressor());
        } catch (IOException e) {
            onError.accept(e);
            return;
        }
        Request request = client.newRequest(target).method(HttpMethod.POST).version(HttpVersion.HTTP_2)
                .timeout(config.getTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> {
                    headers.put("te", "trailers");
                    if (config.getCompressor() != null) {
                        headers.put("grpc-encoding", config.getCompressor().getEncoding());
                    }
                    Map<String, List<String>> extra = config.getHeadersSupplier() == null ? null : config.getHeadersSupplier().get();
                    if (extra != null) {
                        extra.forEach((name, values) -> values.forEach(value -> headers.add(name, value)));
                    }
                })
                .body(new BytesRequestContent("application/grpc", body));
        request.send(new BufferingResponseListener((int) Math.min(Integer.MAX_VALUE, config.getMaxResponseBodySize())) {
            @Override
            public void onComplete(Result result) {
                if (result.isFailed()) {
                    onError.accept(result.getFailure());
                    return;
                }
                Response response = result.getResponse();
                if (response.getStatus() != 200) {
                    onError.accept(new IOException("OTLP endpoint answered HTTP " + response.getStatus()));
                    return;
                }
                onResponse.accept(reply(response, getContent()));
            }
        });
    }

    static byte[] frame(MessageWriter message, Compressor compressor) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getContentLength() + 5);
        bytes.write(new byte[5]);
        if (compressor == null) {
            message.writeMessage(bytes);
        } else {
            try (OutputStream compressed = compressor.compress(bytes)) {
                message.writeMessage(compressed);
            }
        }
        byte[] framed = bytes.toByteArray();
        ByteBuffer.wrap(framed).put(compressor == null ? (byte) 0 : (byte) 1).putInt(framed.length - 5);
        return framed;
    }

    private static GrpcResponse reply(Response response, byte[] content) {
        HttpFields trailers = response.getTrailers();
        String status = trailers != null && trailers.get("grpc-status") != null ? trailers.get("grpc-status")
                : response.getHeaders().get("grpc-status");
        String description = trailers != null && trailers.get("grpc-message") != null ? trailers.get("grpc-message")
                : response.getHeaders().get("grpc-message");
        GrpcStatusCode code;
        try {
            code = status == null ? GrpcStatusCode.UNKNOWN : GrpcStatusCode.fromValue(Integer.parseInt(status.trim()));
        } catch (NumberFormatException e) {
            code = GrpcStatusCode.UNKNOWN;
        }
        byte[] message = content.length >= 5 ? Arrays.copyOfRange(content, 5, content.length) : new byte[0];
        return new Reply(code, description == null ? (status == null ? "no grpc-status" : "") : description, message);
    }

    private record Reply(GrpcStatusCode getStatusCode, String getStatusDescription, byte[] getResponseMessage)
            implements GrpcResponse {}

    @Override
    public CompletableResultCode shutdown() {
        try {
            client.stop();
        } catch (Exception e) {
            return CompletableResultCode.ofFailure();
        }
        return CompletableResultCode.ofSuccess();
    }
}
