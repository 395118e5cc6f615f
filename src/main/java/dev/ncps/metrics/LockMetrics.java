package dev.ncps.metrics;

import dev.ncps.lock.LockListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/**
 * The lock series of the Go ncps ({@code pkg/lock/metrics.go}; listed in docs/operations/metrics.md), same names
 * and labels, plus {@code ncps_lock_redis_connected}. Labels: {@code type} says what the lock guards
 * ({@link LockListener#typeOf}), {@code mode} is {@code local} or {@code distributed}. Every series of every
 * type, mode, result and failure reason exists at zero from the start, whatever the lock backend, so alerts on
 * rate() and absent() work before the first event. {@code ncps_lock_redis_connected} appears when the Redis
 * backend first reports: with another backend a 0 would fire the "Redis disconnected" alert.
 */
final class LockMetrics implements LockListener {
    private final Counter acquisitions;
    private final Histogram holdDuration;
    private final Counter failures;
    private final Counter retryAttempts;
    private final PrometheusRegistry registry;
    private Gauge redisConnected;

    LockMetrics(PrometheusRegistry registry) {
        this.registry = registry;
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
        prime();
    }

    private void prime() {
        for (String type : TYPES) {
            retryAttempts.labelValues(type);
            for (String mode : MODES) {
                holdDuration.labelValues(type, mode);
                for (Outcome outcome : Outcome.values()) {
                    acquisitions.labelValues(type, mode, outcome.label());
                }
                for (String reason : FAILURE_REASONS) {
                    failures.labelValues(type, mode, reason);
                }
            }
        }
    }

    @Override
    public void onAcquire(String key, String mode, Outcome outcome) {
        acquisitions.labelValues(LockListener.typeOf(key), mode, outcome.label()).inc();
    }

    @Override
    public void onFailure(String key, String mode, String reason) {
        failures.labelValues(LockListener.typeOf(key), mode, reason).inc();
    }

    @Override
    public void onRetry(String key) {
        retryAttempts.labelValues(LockListener.typeOf(key)).inc();
    }

    @Override
    public void onRelease(String key, String mode, Duration held) {
        holdDuration.labelValues(LockListener.typeOf(key), mode).observe(held.toNanos() / 1e9);
    }

    @Override
    public synchronized void onRedisReachability(boolean reached) {
        if (redisConnected == null) {
            redisConnected = Gauge.builder().name("ncps_lock_redis_connected")
                    .help("1 while the Redis lock backend answers; 0 from the first call that cannot reach it")
                    .register(registry);
        }
        redisConnected.set(reached ? 1 : 0);
    }
}
