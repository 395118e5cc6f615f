package dev.ncps.metrics;

import dev.ncps.cache.CacheListener;
import dev.ncps.cluster.CoordinationListener;
import dev.ncps.http.HttpListener;
import dev.ncps.http.MetricsWriter;
import dev.ncps.lock.LockListener;
import dev.ncps.lru.LruListener;
import dev.ncps.nix.NarFileKey;
import dev.ncps.upstream.UpstreamListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.DoubleSupplier;

/**
 * The Prometheus series of ncps, named and labelled as the Go ncps names them (docs/operations/metrics.md) so that
 * existing dashboards and alerts keep working, plus the JVM's own series. One private registry per
 * process; nothing global. The only place that touches Prometheus: every other package reports through its own
 * small listener interface ({@link #http()}, {@link #upstreams()}, {@link #locks()}, {@link #lru()},
 * {@link #coordination()}, and this class as the {@link CacheListener}), whose no-op default runs when metrics
 * are off. Every series exists from startup, whatever the configuration.
 */
public final class Metrics implements CacheListener, MetricsWriter {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter narServed = Counter.builder().name("ncps_nar_served_total")
            .help("NAR requests served").labelNames("status", "result", "upstream_hostname").register(registry);
    private final Counter narInfoServed = Counter.builder().name("ncps_narinfo_served_total")
            .help("narinfo requests served").labelNames("result", "status", "source", "upstream_hostname").register(registry);

    private final Counter pinOperations = Counter.builder().name("ncps_pin_operations_total")
            .help("Pin operations: pin, unpin and closure walks, by result").labelNames("operation", "result").register(registry);

    private final HttpMetrics http = new HttpMetrics(registry);
    private final UpstreamMetrics upstreams = new UpstreamMetrics(registry);
    private final LockMetrics locks = new LockMetrics(registry);
    private final LruMetrics lru = new LruMetrics(registry);
    private final CoordinationListener coordination;

    /** {@code version} and {@code revision} (empty when unknown) label {@code ncps_build_info}. */
    public Metrics(String version, String revision) {
        JvmMetrics.builder().register(registry);
        Gauge.builder().name("ncps_build_info").help("Always 1; the labels say which ncps runs on which Java")
                .labelNames("version", "revision", "java").register(registry)
                .labelValues(version, revision, Runtime.version().toString()).set(1);
        narServed.labelValues("success", "hit", "");
        narInfoServed.labelValues("hit", "success", "database", "");
        narServed.labelValues("error", "miss", "");
        narInfoServed.labelValues("miss", "error", "upstream", "");
        Counter fallback = Counter.builder().name("ncps_download_coordination_fallback_total")
                .help("How a download held by another instance was served (" + String.join(", ",
                        CoordinationListener.Outcome.LABELS) + ")")
                .labelNames("outcome").register(registry);
        CoordinationListener.Outcome.LABELS.forEach(fallback::labelValues);
        coordination = outcome -> fallback.labelValues(outcome.label()).inc();
    }

    /** The registry, for tests that read the series back. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The HTTP server's request series. */
    public HttpListener http() {
        return http;
    }

    /** The upstream series. */
    public UpstreamListener upstreams() {
        return upstreams;
    }

    /** The lock series. */
    public LockListener locks() {
        return locks;
    }

    /** The LRU cleanup series. */
    public LruListener lru() {
        return lru;
    }

    /** How downloads held by other instances were served. */
    public CoordinationListener coordination() {
        return coordination;
    }

    /** A gauge computed at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble())).register(registry);
    }

    @Override
    public void narInfoServed(Result result, String upstreamHost) {
        String source = result == Result.HIT ? "database" : "upstream";
        narInfoServed.labelValues(label(result), "success", source, upstreamHost == null ? "" : upstreamHost).inc();
    }

    @Override
    public void narInfoFailed(int status) {
        narInfoServed.labelValues("miss", "error", "upstream", "").inc();
    }

    @Override
    public void narServed(Result result, String upstreamHost) {
        narServed.labelValues("success", label(result), upstreamHost == null ? "" : upstreamHost).inc();
    }

    @Override
    public void narDownloadFailed(NarFileKey key, Exception cause) {
        narServed.labelValues("error", "miss", "").inc();
    }

    @Override
    public void pinOperation(String operation, String result) {
        pinOperations.labelValues(operation, result).inc();
    }

    @Override
    public String contentType() {
        return writer.getContentType();
    }

    @Override
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    private static String label(Result result) {
        return result == Result.HIT ? "hit" : "miss";
    }
}
