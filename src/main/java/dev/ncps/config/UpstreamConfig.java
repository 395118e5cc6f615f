package dev.ncps.config;

import dev.ncps.upstream.UpstreamOptions;
import dev.ncps.upstream.UpstreamSpec;
import java.util.List;

/**
 * The upstream caches, in configured order, each with the public keys whose names match its host, and how they
 * are reached; both are the upstream package's own types, built by the config loader.
 *
 * @param options timeouts, health check period, netrc credentials (the configured file, or {@code ~/.netrc} when
 *                it exists) and the proxies of the standard HTTP_PROXY, HTTPS_PROXY and NO_PROXY variables
 */
public record UpstreamConfig(List<UpstreamSpec> upstreams, UpstreamOptions options) {
    public UpstreamConfig {
        upstreams = List.copyOf(upstreams);
    }
}
