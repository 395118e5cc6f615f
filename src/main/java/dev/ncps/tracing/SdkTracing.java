package dev.ncps.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The OpenTelemetry SDK, set up only when tracing is on (so a disabled ncps never loads these classes). */
final class SdkTracing {
    private static final String INSTRUMENTATION = "dev.ncps";
    /** How long shutdown may take to send the spans still buffered. */
    private static final long FLUSH_SECONDS = 5;

    private SdkTracing() {}

    static Tracing start(TracingSettings settings, String serviceVersion) {
        SdkLogBridge sdkLog = new SdkLogBridge();
        SpanExporter exporter = settings.grpcUrl().map(SdkTracing::otlp).orElseGet(LoggingSpanExporter::new);
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "ncps",
                AttributeKey.stringKey("service.version"), serviceVersion)));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                .build();
        return new Tracing(provider.get(INSTRUMENTATION, serviceVersion),
                () -> {
                    provider.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
                    sdkLog.close();
                });
    }

    static SpanExporter otlp(URI endpoint) {
        return OtlpGrpcSpanExporter.builder().setEndpoint(endpoint.toString()).setComponentLoader(new JettySenderOnly()).build();
    }

    /**
     * Hands the exporter our gRPC sender instead of looking one up on the class path (where it would find
     * none: we ship neither OkHttp nor grpc-java).
     */
    private static final class JettySenderOnly implements ComponentLoader {
        private final ComponentLoader classPath = ComponentLoader.forClassLoader(SdkTracing.class.getClassLoader());

        @Override
        @SuppressWarnings("unchecked")
        public <T> Iterable<T> load(Class<T> type) {
            return type == GrpcSenderProvider.class ? List.of((T) (GrpcSenderProvider) JettyGrpcSender::new) : classPath.load(type);
        }
    }
}
