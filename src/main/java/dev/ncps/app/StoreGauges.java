package dev.ncps.app;

import dev.ncps.index.Index;
import dev.ncps.index.IndexException;
import dev.ncps.upstream.UpstreamStatus;
import dev.ncps.upstream.Upstreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Size and count gauges of the Go ncps, current when scraped: the index is asked during a scrape, at most
 * once per {@link #MAX_AGE} however many gauges, scrapers or instances ask, so a scraper cannot put load on
 * the database and a download shows in the next scrape.
 */
final class StoreGauges {
    private static final Logger log = LoggerFactory.getLogger(StoreGauges.class);
    static final Duration MAX_AGE = Duration.ofSeconds(2);

    private StoreGauges() {}

    static void register(Listeners.Gauges metrics, Index index, Upstreams upstreams, long maxSize, Clock clock) {
        Supplier<Index.Stats> stats = fresh(index, clock);
        metrics.gauge("ncps_store_total_size_bytes", "Bytes of NARs in the store", () -> stats.get().totalBytes());
        metrics.gauge("ncps_narinfo_count", "narinfos in the cache", () -> stats.get().narInfoCount());
        metrics.gauge("ncps_nar_file_count", "NAR files in the cache", () -> stats.get().narFileCount());
        metrics.gauge("ncps_cache_max_size_bytes", "Configured maximum size (0 = unbounded)", () -> maxSize);
        metrics.gauge("ncps_cache_utilization_ratio", "Store size divided by the maximum size (0 if unbounded)",
                () -> maxSize > 0 ? (double) stats.get().totalBytes() / maxSize : 0);
        metrics.gauge("ncps_upstream_count_total", "Configured upstream caches", () -> upstreams.status().size());
        metrics.gauge("ncps_upstream_count_healthy", "Upstream caches currently healthy",
                () -> upstreams.status().stream().filter(UpstreamStatus::healthy).count());
        Supplier<Index.PinCounts> pins = fresh(index::pinCounts, new Index.PinCounts(0, 0), clock);
        metrics.gauge("ncps_pinned_closures", "Pinned roots (every instance of a cluster shows the same)", () -> pins.get().roots());
        metrics.gauge("ncps_pinned_paths", "Store paths kept from LRU by a pinned closure", () -> pins.get().paths());
    }

    private interface Query<T> {
        T get() throws IndexException;
    }

    /** The index's stats, asked again when the last answer is older than {@link #MAX_AGE}. */
    static Supplier<Index.Stats> fresh(Index index, Clock clock) {
        return fresh(index::stats, new Index.Stats(0, 0, 0), clock);
    }

    /** The query's answer, asked again when the last one is older than {@link #MAX_AGE}; {@code initial} until one succeeds. */
    private static <T> Supplier<T> fresh(Query<T> query, T initial, Clock clock) {
        return new Supplier<>() {
            private T last = initial;
            private Instant asked = Instant.MIN;

            @Override
            public synchronized T get() {
                Instant now = clock.instant();
                if (asked.plus(MAX_AGE).isAfter(now)) {
                    return last;
                }
                asked = now;
                try {
                    last = query.get();
                } catch (IndexException e) {
                    log.warn("cannot read the index for the gauges: {}", e.getMessage());
                }
                return last;
            }
        };
    }
}
