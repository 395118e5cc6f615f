package dev.ncps.config;

import java.time.Duration;

/**
 * @param drainTimeout on SIGTERM, how long in-flight work may take before the process exits
 * @param prometheusEnabled whether GET /metrics is served
 */
public record ServerConfig(HostPort addr, Duration drainTimeout, boolean prometheusEnabled) {}
