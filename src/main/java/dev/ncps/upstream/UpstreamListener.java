package dev.ncps.upstream;

import java.time.Duration;
import java.util.List;

/**
 * What the upstream client reports, for metrics and tracing. Called on the requesting thread; implementations
 * must be fast and must not throw. The metrics package maps these to the {@code ncps_upstream_*} series; the
 * upstream counts come from {@link Upstreams#status()}.
 */
public interface UpstreamListener {

    UpstreamListener NONE = new UpstreamListener() {};

    /** The reasons {@link #narInfoRejected} reports. */
    List<String> NARINFO_REJECTION_REASONS = java.util.Arrays.stream(NarInfoCheck.Problem.values())
            .map(NarInfoCheck.Problem::label).toList();

    /** The reasons {@link #targetRefused} reports. */
    List<String> TARGET_REFUSAL_REASONS = java.util.Arrays.stream(TargetPolicy.Refusal.values())
            .map(TargetPolicy.Refusal::label).toList();

    /** How one request to one upstream ended; {@link #error()} names the failures by kind. */
    enum Outcome {
        /** 200 with an acceptable body. */
        FOUND(null),
        /** 404 (or 403, which Nix and S3 treat alike). */
        NOT_FOUND(null),
        /** 200 with a response that failed verification: a rejected narinfo, a NAR whose headers contradict it. */
        REJECTED("verification"),
        /** No response headers, or the body stalled, within the configured timeouts. */
        TIMEOUT("timeout"),
        /** No response: connection refused or reset, TLS or DNS failure, a target the policy refused. */
        CONNECTION_FAILED("connect"),
        /** An unexpected HTTP status (5xx, 401...). */
        BAD_STATUS("status");

        private final String error;

        Outcome(String error) {
            this.error = error;
        }

        /** The kind of failure ({@code timeout}, {@code connect}, {@code status}, {@code verification}), or null. */
        public String error() {
            return error;
        }

        /** Every {@link #error()}, in declaration order. */
        public static final List<String> ERRORS = java.util.Arrays.stream(values())
                .map(Outcome::error).filter(java.util.Objects::nonNull).toList();
    }

    /** The upstreams as configured, once, before any other event: series can exist at zero from startup. */
    default void onConfigured(List<Upstream> upstreams) {}

    /** A {@code nix-cache-info} health check of {@code upstream} ended. */
    default void healthChecked(Upstream upstream, Duration duration, Outcome outcome) {}

    /** One narinfo request to one upstream ended; {@code duration} includes reading and verifying the body. */
    default void narInfoFetched(Upstream upstream, Duration duration, Outcome outcome) {}

    /** A NAR request got its response headers (or failed); {@code timeToHeaders} is the time to response. */
    default void narFetched(Upstream upstream, Duration timeToHeaders, Outcome outcome) {}

    /**
     * A URL or redirect of {@code upstream} was refused by its target policy, before any connection to the
     * target; {@code reason} is a short label such as {@code internal_address}.
     */
    default void targetRefused(Upstream upstream, String reason) {}

    /**
     * An upstream served a narinfo that failed verification; {@code reason} is one of
     * {@link #NARINFO_REJECTION_REASONS}.
     */
    default void narInfoRejected(Upstream upstream, String reason) {}

    /** A health check changed an upstream's state. */
    default void healthChanged(Upstream upstream, Upstream.Health health) {}
}
