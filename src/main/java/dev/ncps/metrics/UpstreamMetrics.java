package dev.ncps.metrics;

import dev.ncps.upstream.Upstream;
import dev.ncps.upstream.UpstreamListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Upstream series: the Go ncps's two fetch histograms (no labels, as there), and per upstream, labelled with
 * its host name only (never a path, user or password), the request durations, the errors by kind, the
 * health state, the refused targets and the rejected narinfos. Every labelled series exists at zero from
 * startup, so alerts on rate() see an upstream before its first failure.
 */
final class UpstreamMetrics implements UpstreamListener {
    private static final String NARINFO = "narinfo";
    private static final String NAR = "nar";
    private static final String HEALTH_CHECK = "nix-cache-info";
    private static final List<String> REQUESTS = List.of(NARINFO, NAR, HEALTH_CHECK);

    private final Histogram narInfoFetch;
    private final Histogram narFetch;
    private final Histogram requestDuration;
    private final Counter errors;
    private final Gauge health;
    private final Counter refused;
    private final Counter rejected;

    UpstreamMetrics(PrometheusRegistry registry) {
        narInfoFetch = Histogram.builder().name("ncps_upstream_narinfo_fetch_duration_seconds")
                .help("Time to fetch and verify a narinfo from an upstream").register(registry);
        narFetch = Histogram.builder().name("ncps_upstream_nar_fetch_duration_seconds")
                .help("Time until an upstream answers a NAR request").register(registry);
        requestDuration = Histogram.builder().name("ncps_upstream_request_duration_seconds")
                .help("Time of one request to one upstream, whatever its outcome: a narinfo with its verification,"
                        + " a NAR until its response headers, a nix-cache-info health check")
                .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .labelNames("upstream_hostname", "request").register(registry);
        errors = Counter.builder().name("ncps_upstream_errors_total")
                .help("Failed requests to an upstream by kind (" + String.join(", ", Outcome.ERRORS) + ")")
                .labelNames("upstream_hostname", "request", "kind").register(registry);
        health = Gauge.builder().name("ncps_upstream_health")
                .help("An upstream's health state: 1 on the current state (unknown before the first check,"
                        + " healthy, unhealthy), 0 on the others")
                .labelNames("upstream_hostname", "state").register(registry);
        refused = Counter.builder().name("ncps_upstream_target_refused_total")
                .help("URLs and redirects of an upstream that were not followed, by reason ("
                        + String.join(", ", TARGET_REFUSAL_REASONS) + ")")
                .labelNames("upstream_hostname", "reason").register(registry);
        rejected = Counter.builder().name("ncps_upstream_narinfo_rejected_total")
                .help("Narinfos an upstream served that failed verification, by reason (" + String.join(", ",
                        NARINFO_REJECTION_REASONS) + "); the client got a 502 unless another upstream had it")
                .labelNames("upstream_hostname", "reason").register(registry);
    }

    @Override
    public void onConfigured(List<Upstream> upstreams) {
        for (Upstream upstream : upstreams) {
            String host = upstream.hostname();
            NARINFO_REJECTION_REASONS.forEach(reason -> rejected.labelValues(host, reason));
            TARGET_REFUSAL_REASONS.forEach(reason -> refused.labelValues(host, reason));
            for (String request : REQUESTS) {
                requestDuration.labelValues(host, request);
                Outcome.ERRORS.forEach(kind -> errors.labelValues(host, request, kind));
            }
            healthChanged(upstream, upstream.health());
        }
    }

    @Override
    public void narInfoFetched(Upstream upstream, Duration duration, Outcome outcome) {
        narInfoFetch.observe(seconds(duration));
        request(upstream, NARINFO, duration, outcome);
    }

    @Override
    public void narFetched(Upstream upstream, Duration timeToHeaders, Outcome outcome) {
        narFetch.observe(seconds(timeToHeaders));
        request(upstream, NAR, timeToHeaders, outcome);
    }

    @Override
    public void healthChecked(Upstream upstream, Duration duration, Outcome outcome) {
        request(upstream, HEALTH_CHECK, duration, outcome);
    }

    @Override
    public void healthChanged(Upstream upstream, Upstream.Health state) {
        for (Upstream.Health each : Upstream.Health.values()) {
            health.labelValues(upstream.hostname(), each.name().toLowerCase(Locale.ROOT)).set(each == state ? 1 : 0);
        }
    }

    @Override
    public void narInfoRejected(Upstream upstream, String reason) {
        rejected.labelValues(upstream.hostname(), reason).inc();
    }

    @Override
    public void targetRefused(Upstream upstream, String reason) {
        refused.labelValues(upstream.hostname(), reason).inc();
    }

    private void request(Upstream upstream, String request, Duration duration, Outcome outcome) {
        requestDuration.labelValues(upstream.hostname(), request).observe(seconds(duration));
        if (outcome.error() != null) {
            errors.labelValues(upstream.hostname(), request, outcome.error()).inc();
        }
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
