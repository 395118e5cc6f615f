package dev.ncps.lru;

import dev.ncps.nix.Sizes;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.NarFileKey;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps the cache under {@code --cache-max-size}: the index removes the least recently used narinfos
 * and the NAR rows nothing refers to any more, then their bytes are deleted (rows first, bytes after,
 * so no reader ever finds a row whose bytes were removed on purpose). A file being served from a local
 * folder survives its deletion until its reader closes it. Between rows and bytes, {@code evicted} hears
 * which NARs went, so that what is held in memory about them (the narinfo memo) is dropped.
 */
public final class Lru {
    private static final Logger log = LoggerFactory.getLogger(Lru.class);

    private final Index index;
    private final Store store;
    private final long maxBytes;
    private final Clock clock;
    private final LruListener listener;
    private final Consumer<List<NarFileKey>> evicted;

    public Lru(Index index, Store store, long maxBytes, Clock clock, LruListener listener, Consumer<List<NarFileKey>> evicted) {
        this.index = index;
        this.store = store;
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.listener = listener;
        this.evicted = evicted;
    }

    /** One cleanup (the caller makes sure one instance at a time runs it); returns the NAR files removed. */
    public int run() {
        Instant started = clock.instant();
        long narInfos = 0;
        List<NarFileEntry> removed = List.of();
        long freed = 0;
        try {
            long before = index.stats().narInfoCount();
            Index.Evicted result = index.evict(maxBytes, hash -> false);
            removed = result.narFiles();
            narInfos = Math.max(0, before - index.stats().narInfoCount());
            evicted.accept(removed.stream().map(NarFileEntry::key).toList());
            for (NarFileEntry entry : removed) {
                try {
                    store.delete(entry.key().storeKey());
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
            log.info("LRU cleanup: removed {} narinfos and {} NARs, {} freed, in {}ms (limit {})", narInfos,
                    removed.size(), Sizes.human(freed), Duration.between(started, clock.instant()).toMillis(),
                    Sizes.human(maxBytes));
            return removed.size();
        } catch (IndexException e) {
            log.error("LRU cleanup failed: {}", e.getMessage());
            return 0;
        } finally {
            listener.onCleanup(narInfos, removed.size(), freed, Duration.between(started, clock.instant()));
        }
    }
}
