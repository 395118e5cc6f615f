package dev.ncps.metrics;

import dev.ncps.http.HttpListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * HTTP server series named after the OpenTelemetry HTTP semantic conventions as Prometheus exports them
 * ({@code http.server.request.duration} becomes {@code http_server_request_duration_seconds}), so dashboards
 * built for other servers work. Labels stay few: the route template, the method and the status class.
 */
final class HttpMetrics implements HttpListener {
    /** From a narinfo held in memory (~0.1 ms) to a NAR of several GiB over a slow link. */
    private static final double[] DURATION_BOUNDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    private final Histogram duration;
    private final Gauge active;
    private final Counter bytes;

    HttpMetrics(PrometheusRegistry registry) {
        duration = Histogram.builder().name("http_server_request_duration_seconds")
                .help("Time from a request's first byte to the end of its response")
                .classicOnly().classicUpperBounds(DURATION_BOUNDS)
                .labelNames("http_route", "http_request_method", "http_response_status_class").register(registry);
        active = Gauge.builder().name("http_server_active_requests")
                .help("Requests being handled now").register(registry);
        bytes = Counter.builder().name("http_server_response_body_bytes_total")
                .help("Response body bytes sent").labelNames("http_route").register(registry);
        for (String route : new String[] {"/{hash}.narinfo", "/nar/{hash}.nar"}) {
            for (String status : new String[] {"2xx", "4xx", "5xx"}) {
                duration.labelValues(route, "GET", status);
            }
            bytes.labelValues(route);
        }
    }

    @Override
    public void requestStarted() {
        active.inc();
    }

    @Override
    public void requestEnded() {
        active.dec();
    }

    @Override
    public void responded(String route, String method, int status, long sent, long nanos) {
        duration.labelValues(route, method, (status / 100) + "xx").observe(nanos / 1e9);
        bytes.labelValues(route).inc(sent);
    }
}
