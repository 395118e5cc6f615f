package dev.ncps.lru;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.IndexException;
import dev.ncps.store.Store;
import dev.ncps.store.StoreKeys;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * Keeps the cache under {@code --cache-max-size}: the index removes the least recently used narinfos
 * and the NAR rows nothing refers to any more, then their bytes are deleted (rows first, bytes after,
 * so no reader ever finds a row whose bytes were removed on purpose). A file being served from a local
 * folder survives its deletion until its reader closes it.
 */
public final class Lru {
    private static final Logger log = LoggerFactory.getLogger(Lru.class);

    private final Index index;
    private final Store store;
    private final long maxBytes;
    private final Clock clock;
    private final Counter runs;
    private final Counter narInfosEvicted;
    private final Counter narFilesEvicted;
    private final Counter bytesFreed;
    private final Histogram duration;

    public Lru(Index index, Store store, long maxBytes, Clock clock, PrometheusRegistry registry) {
        this.index = index;
        this.store = store;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.runs = Counter.builder().name("ncps_lru_cleanup_runs_total").help("LRU cleanup runs").register(registry);
        this.narInfosEvicted = Counter.builder().name("ncps_lru_narinfos_evicted_total").help("narinfos evicted by LRU").register(registry);
        this.narFilesEvicted = Counter.builder().name("ncps_lru_nar_files_evicted_total").help("NAR files evicted by LRU").register(registry);
        this.bytesFreed = Counter.builder().name("ncps_lru_bytes_freed_total").help("bytes freed by LRU").register(registry);
        this.duration = Histogram.builder().name("ncps_lru_cleanup_duration_seconds").help("LRU cleanup duration").register(registry);
    }

    /** One cleanup (the caller makes sure one instance at a time runs it); returns the NAR files removed. */
    public int run() {
        long started = clock.millis();
        runs.inc();
        try {
            long before = index.stats().narInfoCount();
            Index.Evicted result = index.evict(maxBytes, hash -> false);
            List<NarFileEntry> evicted = result.narFiles();
            long after = index.stats().narInfoCount();
            long freed = 0;
            for (NarFileEntry entry : evicted) {
                try {
                    store.delete(StoreKeys.nar(entry.key().narHash(), entry.key().compression()));
                    freed += entry.fileSize();
                } catch (IOException e) {
                    log.warn("LRU: cannot delete the bytes of nar/{}: {}", entry.key().narHash(), e.getMessage());
                }
            }
            for (String key : result.sideObjects()) {
                try {
                    store.delete(key);
                } catch (IOException e) {
                    log.warn("LRU: cannot delete {}: {}", key, e.getMessage());
                }
            }
            narInfosEvicted.inc(Math.max(0, before - after));
            narFilesEvicted.inc(evicted.size());
            bytesFreed.inc(freed);
            log.info("LRU cleanup: removed {} narinfos and {} NARs, {} bytes freed", Math.max(0, before - after), evicted.size(), freed);
            return evicted.size();
        } catch (IndexException e) {
            log.error("LRU cleanup failed: {}", e.getMessage());
            return 0;
        } finally {
            duration.observe((clock.millis() - started) / 1000.0);
        }
    }
}
