package dev.ncps.config;

import java.net.URI;
import java.util.Optional;

/**
 * What serve needs about its listener besides the HTTP server's own settings ({@link ServeConfig#http()}).
 *
 * @param addr the listen address as configured, for messages and the address other instances reach
 * @param prometheusEnabled whether GET /metrics is served
 * @param advertiseUrl how other instances of a cluster reach this one, when configured
 */
public record ServerConfig(HostPort addr, boolean prometheusEnabled, Optional<URI> advertiseUrl) {}
