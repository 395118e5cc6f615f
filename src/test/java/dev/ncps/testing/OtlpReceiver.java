package dev.ncps.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OTLP/gRPC trace receiver: the TraceService Export method of the OpenTelemetry protocol, decoded with
 * the protocol's generated classes, over HTTP/2 without TLS (h2c, as collectors listen on 4317). It checks
 * what a gRPC server checks (path, content type, the 5-byte message prefix) and answers like one (status
 * in the trailers); anything else gets a gRPC error, so an exporter speaking it wrong fails its test.
 */
public final class OtlpReceiver implements AutoCloseable {
    public static final String EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    /** A received span with the attributes of its resource. */
    public record Received(Span span, Map<String, String> resource) {
        public String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        public String parentSpanId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        public String name() {
            return span.getName();
        }

        /** The span's attributes, every value as text. */
        public Map<String, String> attributes() {
            return OtlpReceiver.attributes(span.getAttributesList());
        }
    }

    private final Server server = new Server();
    private final ServerConnector connector;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    public OtlpReceiver() {
        connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
        connector.setHost(Processes.LOOPBACK);
        server.addConnector(connector);
        server.setHandler(new Export());
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the OTLP receiver: " + e.getMessage(), e);
        }
    }

    /** The endpoint to configure ({@code --otel-grpc-url}). */
    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + connector.getLocalPort());
    }

    public List<Received> spans() {
        return List.copyOf(spans);
    }

    /** Requests refused because they were not a well-formed export call. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Waits until a received span matches, and returns every span received by then. */
    public List<Received> await(Predicate<Received> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (spans.stream().noneMatch(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return spans();
    }

    static Map<String, String> attributes(List<KeyValue> list) {
        return list.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()), (a, b) -> b));
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    private final class Export extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws IOException {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/grpc");
            String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
            if (!request.getHttpURI().getPath().equals(EXPORT_PATH)) {
                return status(response, callback, 12, "unknown method " + request.getHttpURI().getPath());
            }
            if (!"POST".equals(request.getMethod()) || contentType == null || !contentType.startsWith("application/grpc")) {
                return status(response, callback, 13, "not a gRPC call: " + request.getMethod() + " " + contentType);
            }
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            ByteBuffer frame = ByteBuffer.wrap(body);
            if (body.length < 5 || frame.get() != 0 || frame.getInt() != body.length - 5) {
                return status(response, callback, 13, "malformed or compressed gRPC message of " + body.length + " bytes");
            }
            ExportTraceServiceRequest export;
            try {
                export = ExportTraceServiceRequest.parseFrom(frame);
            } catch (InvalidProtocolBufferException e) {
                return status(response, callback, 13, "not an ExportTraceServiceRequest: " + e.getMessage());
            }
            for (ResourceSpans resourceSpans : export.getResourceSpansList()) {
                Map<String, String> resource = attributes(resourceSpans.getResource().getAttributesList());
                for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
                    List<Received> received = new ArrayList<>();
                    for (Span span : scope.getSpansList()) {
                        received.add(new Received(span, resource));
                    }
                    spans.addAll(received);
                }
            }
            byte[] message = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ByteBuffer reply = ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).flip();
            response.setStatus(200);
            response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "0"));
            response.write(true, reply, callback);
            return true;
        }

        private boolean status(Response response, Callback callback, int code, String message) {
            errors.add(message);
            response.setStatus(200);
            response.getHeaders().put("grpc-status", Integer.toString(code));
            response.getHeaders().put("grpc-message", message);
            response.write(true, null, callback);
            return true;
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
