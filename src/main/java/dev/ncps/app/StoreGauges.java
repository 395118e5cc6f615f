package dev.ncps.app;

import dev.ncps.index.Index;
import dev.ncps.index.IndexException;
import dev.ncps.metrics.Metrics;
import dev.ncps.upstream.UpstreamStatus;
import dev.ncps.upstream.Upstreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Size and count gauges of the Go ncps. The index is asked every 30 seconds, not at every scrape, so a
 * scraper cannot put load on the database.
 */
final class StoreGauges {
    private static final Logger log = LoggerFactory.getLogger(StoreGauges.class);

    private StoreGauges() {}

    static void register(Metrics metrics, Index index, Upstreams upstreams, long maxSize, ScheduledExecutorService scheduler) {
        AtomicReference<Index.Stats> stats = new AtomicReference<>(new Index.Stats(0, 0, 0));
        Runnable refresh = () -> {
            try {
                stats.set(index.stats());
            } catch (IndexException e) {
                log.warn("cannot refresh store gauges: {}", e.getMessage());
            }
        };
        refresh.run();
        scheduler.scheduleWithFixedDelay(refresh, 30, 30, TimeUnit.SECONDS);
        metrics.gauge("ncps_store_total_size_bytes", "Bytes of NARs in the store", () -> stats.get().totalBytes());
        metrics.gauge("ncps_narinfo_count", "narinfos in the cache", () -> stats.get().narInfoCount());
        metrics.gauge("ncps_nar_file_count", "NAR files in the cache", () -> stats.get().narFileCount());
        metrics.gauge("ncps_cache_max_size_bytes", "Configured maximum size (0 = unbounded)", () -> maxSize);
        metrics.gauge("ncps_cache_utilization_ratio", "Store size divided by the maximum size (0 if unbounded)",
                () -> maxSize > 0 ? (double) stats.get().totalBytes() / maxSize : 0);
        metrics.gauge("ncps_upstream_count_total", "Configured upstream caches", () -> upstreams.status().size());
        metrics.gauge("ncps_upstream_count_healthy", "Upstream caches currently healthy",
                () -> upstreams.status().stream().filter(UpstreamStatus::healthy).count());
    }
}
