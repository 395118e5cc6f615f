package dev.ncps.upstream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the upstream client. {@link #defaults()} holds the documented defaults.
 *
 * @param dialTimeout             TCP (and TLS) connect timeout
 * @param responseHeaderTimeout   from the request being sent until the response headers arrive
 * @param bodyIdleTimeout         longest pause between two reads of a body before the stream fails
 * @param netrcFile               netrc file with per-host credentials; null or a missing file means none
 * @param negativeCacheTtl        how long an upstream's 404 (or rejected narinfo) is remembered; zero disables
 * @param negativeCacheMaxEntries bound of the negative cache (oldest entries go first)
 * @param hedgeDelay              how long the best upstream may take before the next one is asked as well
 * @param healthCheckInterval     period of the {@code nix-cache-info} checks
 * @param breakerFailureThreshold consecutive failures (transport, timeout, 5xx) that open an upstream's breaker
 * @param breakerCooldown         how long an open breaker skips its upstream before letting one probe through
 * @param maxAttempts             attempts of one request on connection resets and similar transport errors
 * @param proxies                 the HTTP proxies to use ({@link Proxies#NONE}: connect directly)
 */
public record UpstreamOptions(
        Duration dialTimeout, Duration responseHeaderTimeout, Duration bodyIdleTimeout, Path netrcFile,
        Duration negativeCacheTtl, int negativeCacheMaxEntries, Duration hedgeDelay, Duration healthCheckInterval,
        int breakerFailureThreshold, Duration breakerCooldown, int maxAttempts, Proxies proxies) {

    public UpstreamOptions {
        Objects.requireNonNull(proxies, "proxies");
        positive("dialTimeout", dialTimeout);
        positive("responseHeaderTimeout", responseHeaderTimeout);
        positive("bodyIdleTimeout", bodyIdleTimeout);
        Objects.requireNonNull(negativeCacheTtl, "negativeCacheTtl");
        if (negativeCacheTtl.isNegative()) {
            throw new IllegalArgumentException("negativeCacheTtl must not be negative: " + negativeCacheTtl);
        }
        Objects.requireNonNull(hedgeDelay, "hedgeDelay");
        if (hedgeDelay.isNegative()) {
            throw new IllegalArgumentException("hedgeDelay must not be negative: " + hedgeDelay);
        }
        positive("healthCheckInterval", healthCheckInterval);
        positive("breakerCooldown", breakerCooldown);
        atLeastOne("negativeCacheMaxEntries", negativeCacheMaxEntries);
        atLeastOne("breakerFailureThreshold", breakerFailureThreshold);
        atLeastOne("maxAttempts", maxAttempts);
    }

    /** dial 3s, headers 3s, body idle 30s, no netrc, 404s kept 30s (100 000 entries), hedge after 100 ms,
     *  checks every 5s, breaker opens after 5 failures for 30s, 3 attempts. */
    public static UpstreamOptions defaults() {
        return new UpstreamOptions(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(30), null,
                Duration.ofSeconds(30), 100_000, Duration.ofMillis(100), Duration.ofSeconds(5), 5,
                Duration.ofSeconds(30), 3, Proxies.NONE);
    }

    public UpstreamOptions withTimeouts(Duration dial, Duration responseHeader, Duration bodyIdle) {
        return new UpstreamOptions(dial, responseHeader, bodyIdle, netrcFile, negativeCacheTtl,
                negativeCacheMaxEntries, hedgeDelay, healthCheckInterval, breakerFailureThreshold, breakerCooldown,
                maxAttempts, proxies);
    }

    public UpstreamOptions withNetrcFile(Path file) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, file, negativeCacheTtl,
                negativeCacheMaxEntries, hedgeDelay, healthCheckInterval, breakerFailureThreshold, breakerCooldown,
                maxAttempts, proxies);
    }

    public UpstreamOptions withNegativeCache(Duration ttl, int maxEntries) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, netrcFile, ttl, maxEntries,
                hedgeDelay, healthCheckInterval, breakerFailureThreshold, breakerCooldown, maxAttempts, proxies);
    }

    public UpstreamOptions withHedgeDelay(Duration delay) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, netrcFile, negativeCacheTtl,
                negativeCacheMaxEntries, delay, healthCheckInterval, breakerFailureThreshold, breakerCooldown,
                maxAttempts, proxies);
    }

    public UpstreamOptions withHealthCheckInterval(Duration interval) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, netrcFile, negativeCacheTtl,
                negativeCacheMaxEntries, hedgeDelay, interval, breakerFailureThreshold, breakerCooldown, maxAttempts,
                proxies);
    }

    public UpstreamOptions withBreaker(int failureThreshold, Duration cooldown) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, netrcFile, negativeCacheTtl,
                negativeCacheMaxEntries, hedgeDelay, healthCheckInterval, failureThreshold, cooldown, maxAttempts, proxies);
    }

    public UpstreamOptions withProxies(Proxies proxies) {
        return new UpstreamOptions(dialTimeout, responseHeaderTimeout, bodyIdleTimeout, netrcFile, negativeCacheTtl,
                negativeCacheMaxEntries, hedgeDelay, healthCheckInterval, breakerFailureThreshold, breakerCooldown,
                maxAttempts, proxies);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1: " + value);
        }
    }
}
