package dev.ncps.app;

import dev.ncps.cache.CacheListener;
import dev.ncps.cli.Version;
import dev.ncps.cluster.CoordinationListener;
import dev.ncps.http.HttpListener;
import dev.ncps.http.MetricsWriter;
import dev.ncps.lock.LockListener;
import dev.ncps.lru.LruListener;
import dev.ncps.metrics.Metrics;
import dev.ncps.upstream.UpstreamListener;

import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Who hears what each part reports: the Prometheus metrics when {@code prometheus.enabled}, else the parts'
 * own no-op listeners. Wiring picks one of these once, so no part ever asks whether metrics are on. Another
 * observer (tracing) joins here by wrapping these listeners.
 *
 * @param gauges     registers a gauge computed at scrape time
 * @param exposition what {@code GET /metrics} writes, when metrics are on
 */
record Listeners(CacheListener cache, HttpListener http, UpstreamListener upstreams, LockListener locks,
                 LruListener lru, CoordinationListener coordination, Gauges gauges,
                 Optional<MetricsWriter> exposition) {

    /** Registers a gauge whose value is read at scrape time. */
    interface Gauges {
        void gauge(String name, String help, DoubleSupplier value);
    }

    static final Listeners NONE = new Listeners(CacheListener.NONE, HttpListener.NONE, UpstreamListener.NONE,
            LockListener.NONE, LruListener.NONE, CoordinationListener.NONE, (name, help, value) -> {}, Optional.empty());

    static Listeners of(Metrics metrics) {
        return new Listeners(metrics, metrics.http(), metrics.upstreams(), metrics.locks(), metrics.lru(),
                metrics.coordination(), metrics::gauge, Optional.of(metrics));
    }

    static Listeners forConfig(boolean prometheusEnabled) {
        return prometheusEnabled ? of(new Metrics(Version.number(), Version.revision().orElse(""))) : NONE;
    }
}
