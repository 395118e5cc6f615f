package dev.ncps.config;

import dev.ncps.upstream.Proxies;
import dev.ncps.upstream.UpstreamSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The upstream caches, in configured order, each with the public keys whose names match its host (built by the
 * config loader as the upstream package's own {@link UpstreamSpec}).
 *
 * @param healthCheckInterval period of each upstream's {@code nix-cache-info} check
 * @param netrcFile credentials for upstreams, when a netrc file is configured or {@code ~/.netrc} exists
 * @param proxies   from the standard HTTP_PROXY, HTTPS_PROXY and NO_PROXY environment variables
 */
public record UpstreamConfig(List<UpstreamSpec> upstreams, Duration dialerTimeout, Duration responseHeaderTimeout,
                             Duration healthCheckInterval, Optional<Path> netrcFile, Proxies proxies) {
    public UpstreamConfig {
        upstreams = List.copyOf(upstreams);
    }
}
