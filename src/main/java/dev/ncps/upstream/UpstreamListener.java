package dev.ncps.upstream;

import java.time.Duration;

/**
 * Hooks for metrics. Called on the requesting thread; implementations must be fast and must not throw.
 * They map to {@code ncps_upstream_narinfo_fetch_duration_seconds} and
 * {@code ncps_upstream_nar_fetch_duration_seconds}; the upstream counts come from {@link Upstreams#status()}.
 */
public interface UpstreamListener {

    UpstreamListener NONE = new UpstreamListener() {};

    /** The reasons {@link #narInfoRejected} reports. */
    java.util.List<String> NARINFO_REJECTION_REASONS = java.util.Arrays.stream(NarInfoCheck.Problem.values())
            .map(NarInfoCheck.Problem::label).toList();

    /** How one request to one upstream ended. */
    enum Outcome {
        /** 200 with an acceptable body. */
        FOUND,
        /** 404 (or 403, which Nix and S3 treat alike). */
        NOT_FOUND,
        /** 200 with a narinfo that was rejected (parse error, wrong path, bad signature). */
        REJECTED,
        /** No response headers, or the body stalled, within the configured timeouts. */
        TIMEOUT,
        /** Connection error or an unexpected HTTP status. */
        FAILED
    }

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
