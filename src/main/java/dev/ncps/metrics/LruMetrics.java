package dev.ncps.metrics;

import dev.ncps.lru.LruListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;

/** The LRU cleanup series of the Go ncps. */
final class LruMetrics implements LruListener {
    private final Counter runs;
    private final Counter narInfosEvicted;
    private final Counter narFilesEvicted;
    private final Counter bytesFreed;
    private final Histogram duration;

    LruMetrics(PrometheusRegistry registry) {
        runs = Counter.builder().name("ncps_lru_cleanup_runs_total").help("LRU cleanup runs").register(registry);
        narInfosEvicted = Counter.builder().name("ncps_lru_narinfos_evicted_total").help("narinfos evicted by LRU").register(registry);
        narFilesEvicted = Counter.builder().name("ncps_lru_nar_files_evicted_total").help("NAR files evicted by LRU").register(registry);
        bytesFreed = Counter.builder().name("ncps_lru_bytes_freed_total").help("bytes freed by LRU").register(registry);
        duration = Histogram.builder().name("ncps_lru_cleanup_duration_seconds").help("LRU cleanup duration").register(registry);
    }

    @Override
    public void onCleanup(long narInfos, int narFiles, long freed, Duration took) {
        runs.inc();
        narInfosEvicted.inc(narInfos);
        narFilesEvicted.inc(narFiles);
        bytesFreed.inc(freed);
        duration.observe(took.toNanos() / 1e9);
    }
}
