package dev.ncps.upstream;

import java.net.URI;

/**
 * A snapshot of one upstream for health endpoints and metrics.
 *
 * @param healthy   usable for lookups now: its last health check did not fail and its breaker is not open
 * @param health    the result of the health checks alone
 * @param lastError the last failure seen (check or request), or null
 */
public record UpstreamStatus(URI url, boolean healthy, Upstream.Health health, boolean breakerOpen, int priority,
                             String lastError) {}
