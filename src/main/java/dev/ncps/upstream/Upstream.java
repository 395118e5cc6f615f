package dev.ncps.upstream;

import dev.ncps.nix.PublicKey;
import java.net.URI;
import java.util.List;

/**
 * One upstream cache as the rest of ncps sees it: its base URL, keys, effective priority and health. Identity
 * equality: there is one instance per configured upstream for the life of an {@link Upstreams}.
 */
public final class Upstream {

    /** What the health checks say. UNKNOWN (before the first check) counts as usable. */
    public enum Health { UNKNOWN, HEALTHY, UNHEALTHY }

    /** Nix's default priority for a cache whose nix-cache-info names none. */
    static final int DEFAULT_PRIORITY = 50;

    private final UpstreamSpec spec;
    private final int order;
    private final URI base;
    private final UpstreamBreaker breaker;
    private final TargetPolicy policy;

    private volatile Health health = Health.UNKNOWN;
    private volatile int discoveredPriority = DEFAULT_PRIORITY;
    private volatile String lastError;

    Upstream(UpstreamSpec spec, int order, UpstreamBreaker breaker) {
        this.spec = spec;
        this.order = order;
        String url = spec.url().toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.breaker = breaker;
        this.policy = new TargetPolicy(base, spec.allowedTargets());
    }

    /** The base URL as configured, without {@code ?priority=}. */
    public URI url() {
        return spec.url();
    }

    /** The host name, as used for netrc and the {@code upstream_hostname} metric label. */
    public String hostname() {
        return base.getHost();
    }

    public List<PublicKey> keys() {
        return spec.keys();
    }

    /** Whether its unsigned narinfos are accepted ({@code ?trust-unsigned=true}). */
    boolean trustsUnsigned() {
        return spec.trustUnsigned();
    }

    /** The configured {@code ?priority=} if any, else the upstream's own (lower is preferred). */
    public int priority() {
        return spec.priorityOverride() > 0 ? spec.priorityOverride() : discoveredPriority;
    }

    public Health health() {
        return health;
    }

    /** Position in the configuration: breaks priority ties. */
    int order() {
        return order;
    }

    /** The base URL, always ending with a slash. */
    URI base() {
        return base;
    }

    /** Where its narinfos and redirects may send us. */
    TargetPolicy policy() {
        return policy;
    }

    /** {@code relative} resolved against the base URL (which always ends with a slash). */
    URI resolve(String relative) {
        return base.resolve(relative);
    }

    /** {@code reference} (relative or absolute, query kept) resolved against the base URL. */
    URI resolve(URI reference) {
        return base.resolve(reference);
    }

    UpstreamBreaker breaker() {
        return breaker;
    }

    /** Usable for lookups: not proven unhealthy and the breaker would let a request through. */
    boolean isUsable() {
        return health != Health.UNHEALTHY && breaker.wouldAllow();
    }

    /** Returns whether the health changed. */
    boolean setHealth(Health newHealth) {
        Health old = health;
        health = newHealth;
        return old != newHealth;
    }

    void setDiscoveredPriority(int priority) {
        discoveredPriority = priority;
    }

    void setLastError(String error) {
        lastError = error;
    }

    UpstreamStatus status() {
        boolean breakerOpen = breaker.state() == UpstreamBreaker.State.OPEN;
        return new UpstreamStatus(spec.url(), health != Health.UNHEALTHY && !breakerOpen, health, breakerOpen,
                priority(), lastError);
    }

    @Override
    public String toString() {
        return MaskedUri.of(spec.url());
    }
}
