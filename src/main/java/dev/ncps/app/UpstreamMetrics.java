package dev.ncps.app;

import dev.ncps.upstream.Upstream;
import dev.ncps.upstream.UpstreamListener;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/** Upstream timings under the Go ncps series names. */
final class UpstreamMetrics implements UpstreamListener {
    private final Histogram narInfoFetch;
    private final Histogram narFetch;

    UpstreamMetrics(PrometheusRegistry registry) {
        narInfoFetch = Histogram.builder().name("ncps_upstream_narinfo_fetch_duration_seconds")
                .help("Time to fetch and verify a narinfo from an upstream").register(registry);
        narFetch = Histogram.builder().name("ncps_upstream_nar_fetch_duration_seconds")
                .help("Time until an upstream answers a NAR request").register(registry);
    }

    @Override
    public void narInfoFetched(Upstream upstream, Duration duration, Outcome outcome) {
        narInfoFetch.observe(duration.toNanos() / 1e9);
    }

    @Override
    public void narFetched(Upstream upstream, Duration timeToHeaders, Outcome outcome) {
        narFetch.observe(timeToHeaders.toNanos() / 1e9);
    }
}
