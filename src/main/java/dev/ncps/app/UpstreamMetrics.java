package dev.ncps.app;

import dev.ncps.upstream.Upstream;
import dev.ncps.upstream.UpstreamListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/** Upstream timings under the Go ncps series names, and the targets upstreams were refused. */
final class UpstreamMetrics implements UpstreamListener {
    private final Histogram narInfoFetch;
    private final Histogram narFetch;
    private final Counter refused;

    UpstreamMetrics(PrometheusRegistry registry) {
        narInfoFetch = Histogram.builder().name("ncps_upstream_narinfo_fetch_duration_seconds")
                .help("Time to fetch and verify a narinfo from an upstream").register(registry);
        narFetch = Histogram.builder().name("ncps_upstream_nar_fetch_duration_seconds")
                .help("Time until an upstream answers a NAR request").register(registry);
        refused = Counter.builder().name("ncps_upstream_target_refused_total")
                .help("URLs and redirects of an upstream that were not followed, by reason (internal_address, "
                        + "outside_base_path, scheme_downgrade, too_many_redirects)")
                .labelNames("upstream_hostname", "reason").register(registry);
    }

    @Override
    public void narInfoFetched(Upstream upstream, Duration duration, Outcome outcome) {
        narInfoFetch.observe(duration.toNanos() / 1e9);
    }

    @Override
    public void narFetched(Upstream upstream, Duration timeToHeaders, Outcome outcome) {
        narFetch.observe(timeToHeaders.toNanos() / 1e9);
    }

    @Override
    public void targetRefused(Upstream upstream, String reason) {
        refused.labelValues(upstream.hostname(), reason).inc();
    }
}
