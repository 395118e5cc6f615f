package dev.ncps.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * @param drainTimeout on SIGTERM, how long in-flight work may take before the process exits
 * @param prometheusEnabled whether GET /metrics is served
 * @param advertiseUrl how other instances of a cluster reach this one, when configured
 * @param transparentCompression answer uncompressed NAR requests zstd- or gzip-encoded when the client accepts it
 */
public record ServerConfig(HostPort addr, Duration drainTimeout, boolean prometheusEnabled, Optional<URI> advertiseUrl,
                           boolean transparentCompression) {}
