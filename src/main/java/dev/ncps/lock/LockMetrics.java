package dev.ncps.lock;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/**
 * The lock series of the Go ncps ({@code pkg/lock/metrics.go}, inventory §10), same names and labels, plus
 * {@code ncps_lock_redis_connected}. Create one per registry and share it between the backends.
 * Labels: {@code type} is always {@code exclusive} (our leases are exclusive; there is no RW lock),
 * {@code mode} is {@code local} or {@code distributed}.
 */
public final class LockMetrics {
    static final String TYPE = "exclusive";

    enum Result {
        SUCCESS("success"), FAILURE("failure"), CONTENTION("contention");

        final String label;

        Result(String label) {
            this.label = label;
        }
    }

    private final Counter acquisitions;
    private final Histogram holdDuration;
    private final Counter failures;
    private final Counter retryAttempts;
    private final Gauge redisConnected;

    public LockMetrics(PrometheusRegistry registry) {
        acquisitions = Counter.builder().name("ncps_lock_acquisitions_total")
                .help("Lock acquisition attempts by outcome").labelNames("type", "mode", "result").register(registry);
        holdDuration = Histogram.builder().name("ncps_lock_hold_duration_seconds")
                .help("How long locks were held, observed at release")
                // Download leases last as long as a NAR download, LRU leases up to its TTL (30m).
                .classicUpperBounds(0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 1800)
                .labelNames("type", "mode").register(registry);
        failures = Counter.builder().name("ncps_lock_failures_total")
                .help("Lock operations that failed, by reason").labelNames("type", "mode", "reason").register(registry);
        retryAttempts = Counter.builder().name("ncps_lock_retry_attempts_total")
                .help("Retries of lock acquisitions after contention").labelNames("type").register(registry);
        redisConnected = Gauge.builder().name("ncps_lock_redis_connected")
                .help("1 while the Redis lock backend answers (circuit closed), 0 while it is down or degraded")
                .register(registry);
        prime();
    }

    /** Zero series from the start, as the Go ncps primes them, so rate() works before the first event. */
    private void prime() {
        for (String mode : new String[] {"local", "distributed"}) {
            for (Result result : Result.values()) {
                acquisitions.labelValues(TYPE, mode, result.label);
            }
        }
        retryAttempts.labelValues(TYPE);
    }

    void acquisition(String mode, Result result) {
        acquisitions.labelValues(TYPE, mode, result.label).inc();
    }

    void failure(String mode, String reason) {
        failures.labelValues(TYPE, mode, reason).inc();
    }

    void retry() {
        retryAttempts.labelValues(TYPE).inc();
    }

    void held(String mode, Duration duration) {
        holdDuration.labelValues(TYPE, mode).observe(duration.toNanos() / 1e9);
    }

    void redisConnected(boolean connected) {
        redisConnected.set(connected ? 1 : 0);
    }
}
