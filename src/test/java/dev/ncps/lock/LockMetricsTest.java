package dev.ncps.lock;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LockMetricsTest {
    private final LockMetricsReader read = LockMetricsReader.fresh();
    private final LockListener metrics = read.listener();

    @Test
    void theTypeLabelSaysWhatTheLockGuards() {
        assertThat(LockListener.typeOf("download:nar:0c1rmc5wf1xbm5s0yv3d3v9dh3nsl3yqs3aj4v2d8g1l0f2ymyqv.nar.xz")).isEqualTo("download");
        assertThat(LockListener.typeOf("download:narinfo:1b2c3d4e5f6g7h8i9j0k1l2m3n4p5q6r")).isEqualTo("narinfo");
        assertThat(LockListener.typeOf("lru")).isEqualTo("lru");
        assertThat(LockListener.typeOf("fsck")).isEqualTo("other");

        metrics.onAcquire("lru", "distributed", LockListener.Outcome.SUCCESS);
        metrics.onRelease("download:narinfo:x", "local", Duration.ofMillis(5));
        assertThat(read.counter("ncps_lock_acquisitions_total", "type", "lru", "mode", "distributed", "result", "success")).isEqualTo(1);
        assertThat(read.histogramCount("ncps_lock_hold_duration_seconds", "type", "narinfo", "mode", "local")).isEqualTo(1);
    }

    /**
     * An alert on rate(ncps_lock_failures_total[5m]) must see a series before the first failure, whatever the
     * lock backend (no backend has been opened here, as with the local one).
     */
    @Test
    void everyFailureSeriesExistsAtZeroFromTheStart() {
        CounterSnapshot failures = read.metrics().registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("ncps_lock_failures"))
                .map(CounterSnapshot.class::cast).findFirst().orElseThrow();
        assertThat(failures.getDataPoints()).isNotEmpty().allSatisfy(point -> assertThat(point.getValue()).isZero());
        assertThat(failures.getDataPoints()).anySatisfy(point -> assertThat(point.getLabels().get("reason")).isEqualTo("redis_error"))
                .anySatisfy(point -> assertThat(point.getLabels().get("reason")).isEqualTo("max_retries"))
                .anySatisfy(point -> assertThat(point.getLabels().get("type")).isEqualTo("lru"));
    }

    /** A 0 would fire the "Redis disconnected" alert on an instance that does not use Redis. */
    @Test
    void theRedisGaugeAppearsOnlyWhenTheRedisBackendReports() {
        assertThat(read.metrics().registry().scrape().stream()
                .noneMatch(s -> s.getMetadata().getName().equals("ncps_lock_redis_connected"))).isTrue();
        metrics.onRedisReachability(true);
        assertThat(read.gauge("ncps_lock_redis_connected")).isEqualTo(1);
    }
}
