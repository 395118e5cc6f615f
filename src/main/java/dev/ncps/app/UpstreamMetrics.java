package dev.ncps.app;

import dev.ncps.upstream.Upstream;
import dev.ncps.upstream.UpstreamListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;

/** Upstream timings under the Go ncps series names, and the targets upstreams were refused. */
final class UpstreamMetrics implements UpstreamListener {
    private final Histogram narInfoFetch;
    private final Histogram narFetch;
    private final Counter refused;
    private final Counter rejected;

    UpstreamMetrics(PrometheusRegistry registry) {
        narInfoFetch = Histogram.builder().name("ncps_upstream_narinfo_fetch_duration_seconds")
                .help("Time to fetch and verify a narinfo from an upstream").register(registry);
        narFetch = Histogram.builder().name("ncps_upstream_nar_fetch_duration_seconds")
                .help("Time until an upstream answers a NAR request").register(registry);
        refused = Counter.builder().name("ncps_upstream_target_refused_total")
                .help("URLs and redirects of an upstream that were not followed, by reason (internal_address, "
                        + "outside_base_path, scheme_downgrade, too_many_redirects)")
                .labelNames("upstream_hostname", "reason").register(registry);
        rejected = Counter.builder().name("ncps_upstream_narinfo_rejected_total")
                .help("Narinfos an upstream served that failed verification, by reason (" + String.join(", ",
                        NARINFO_REJECTION_REASONS) + "); the client got a 502 unless another upstream had it")
                .labelNames("upstream_hostname", "reason").register(registry);
    }

    /** Every upstream's rejection series at 0 from startup, so alerts on their rate see them before a first event. */
    void prime(List<Upstream> upstreams) {
        for (Upstream upstream : upstreams) {
            for (String reason : NARINFO_REJECTION_REASONS) {
                rejected.labelValues(upstream.hostname(), reason);
            }
        }
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
    public void narInfoRejected(Upstream upstream, String reason) {
        rejected.labelValues(upstream.hostname(), reason).inc();
    }

    @Override
    public void targetRefused(Upstream upstream, String reason) {
        refused.labelValues(upstream.hostname(), reason).inc();
    }
}
