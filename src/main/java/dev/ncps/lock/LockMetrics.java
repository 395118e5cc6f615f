package dev.ncps.lock;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;

/**
 * The lock series of the Go ncps ({@code pkg/lock/metrics.go}; listed in docs/operations/metrics.md), same names and labels, plus
 * {@code ncps_lock_redis_connected}. Create one per registry and share it between the backends.
 * Labels: {@code type} says what the lock guards, from its key: {@code download} (a NAR download),
 * {@code narinfo} (a narinfo fetch), {@code lru} (the LRU run) or {@code other}; {@code mode} is
 * {@code local} or {@code distributed}. Every series of every type, mode, result and failure reason exists
 * at zero from the start, so alerts on rate() and absent() work before the first event.
 */
public final class LockMetrics {
    private static final List<String> TYPES = List.of("download", "narinfo", "lru", "other");
    private static final List<String> MODES = List.of("local", "distributed");
    static final String MAX_RETRIES = "max_retries";

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

    private void prime() {
        for (String type : TYPES) {
            retryAttempts.labelValues(type);
            for (String mode : MODES) {
                holdDuration.labelValues(type, mode);
                for (Result result : Result.values()) {
                    acquisitions.labelValues(type, mode, result.label);
                }
                failures.labelValues(type, mode, MAX_RETRIES);
                for (LockException.Reason reason : LockException.Reason.values()) {
                    failures.labelValues(type, mode, reason.label());
                }
            }
        }
    }

    /** What a lock guards, named after its key's prefix (the keys are in cluster.ClusterCoordinator and app). */
    static String typeOf(String key) {
        if (key.startsWith("download:narinfo:")) {
            return "narinfo";
        }
        if (key.startsWith("download:")) {
            return "download";
        }
        return key.equals("lru") ? "lru" : "other";
    }

    void acquisition(String key, String mode, Result result) {
        acquisitions.labelValues(typeOf(key), mode, result.label).inc();
    }

    void failure(String key, String mode, String reason) {
        failures.labelValues(typeOf(key), mode, reason).inc();
    }

    void retry(String key) {
        retryAttempts.labelValues(typeOf(key)).inc();
    }

    void held(String key, String mode, Duration duration) {
        holdDuration.labelValues(typeOf(key), mode).observe(duration.toNanos() / 1e9);
    }

    void redisConnected(boolean connected) {
        redisConnected.set(connected ? 1 : 0);
    }
}
