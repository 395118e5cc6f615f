package dev.ncps.metrics;

import dev.ncps.cache.CacheListener;
import dev.ncps.http.HttpListener;
import dev.ncps.http.MetricsWriter;
import dev.ncps.nix.NarFileKey;
import io.prometheus.metrics.core.metrics.Counter;
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
 * process; nothing global.
 */
public final class Metrics implements CacheListener, MetricsWriter {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter narServed = Counter.builder().name("ncps_nar_served_total")
            .help("NAR requests served").labelNames("status", "result", "upstream_hostname").register(registry);
    private final Counter narInfoServed = Counter.builder().name("ncps_narinfo_served_total")
            .help("narinfo requests served").labelNames("result", "status", "source", "upstream_hostname").register(registry);

    private final HttpMetrics http = new HttpMetrics(registry);

    public Metrics() {
        JvmMetrics.builder().register(registry);
        narServed.labelValues("success", "hit", "");
        narInfoServed.labelValues("hit", "success", "database", "");
        narServed.labelValues("error", "miss", "");
    }

    /** The registry, for the other parts of ncps that own series (upstreams, locks, LRU). */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The HTTP server's request series. */
    public HttpListener http() {
        return http;
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
    public void narServed(Result result, String upstreamHost) {
        narServed.labelValues("success", label(result), upstreamHost == null ? "" : upstreamHost).inc();
    }

    @Override
    public void narDownloadFailed(NarFileKey key, Exception cause) {
        narServed.labelValues("error", "miss", "").inc();
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
