package dev.ncps.config;

import java.net.URI;
import java.util.Optional;

/**
 * @param enabled whether requests are traced
 * @param grpcUrl the OTLP/gRPC endpoint spans are sent to; empty with tracing on: spans are logged
 */
public record TracingConfig(boolean enabled, Optional<URI> grpcUrl) {
    public static final TracingConfig OFF = new TracingConfig(false, Optional.empty());
}
