package dev.ncps.tracing;

import java.net.URI;
import java.util.Optional;

/**
 * The {@code opentelemetry.*} options.
 *
 * @param enabled whether requests are traced ({@code opentelemetry.enabled}, default false)
 * @param grpcUrl the OTLP/gRPC endpoint spans are sent to ({@code opentelemetry.grpc-url}); empty with tracing
 *                on: spans are logged
 */
public record TracingSettings(boolean enabled, Optional<URI> grpcUrl) {
    public static final TracingSettings OFF = new TracingSettings(false, Optional.empty());
}
