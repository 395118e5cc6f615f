package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.IndexException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when narinfos and NARs were last used and writes it to the index in batches, so that a
 * cache hit never waits on a database write (docs/design/architecture.md, invariant 6). LRU precision is bounded by the flush
 * period, which is far below any useful eviction schedule.
 */
final class AccessTracker {
    private static final Logger log = LoggerFactory.getLogger(AccessTracker.class);

    private final Clock clock;
    private final Index index;
    private final ConcurrentHashMap<String, Instant> narInfos = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NarFileKey, Instant> narFiles = new ConcurrentHashMap<>();

    AccessTracker(Clock clock, Index index) {
        this.clock = clock;
        this.index = index;
    }

    void narInfoUsed(String hash) {
        narInfos.put(hash, clock.instant());
    }

    void narFileUsed(NarFileKey key) {
        narFiles.put(key, clock.instant());
    }

    /** Writes what was gathered since the last flush; entries that fail to write are kept for the next one. */
    void flush() {
        Map<String, Instant> infos = drain(narInfos);
        Map<NarFileKey, Instant> files = drain(narFiles);
        if (infos.isEmpty() && files.isEmpty()) {
            return;
        }
        try {
            index.touch(infos, files);
        } catch (IndexException e) {
            log.warn("cannot record access times ({} narinfos, {} NARs), will retry: {}", infos.size(), files.size(), e.getMessage());
            infos.forEach((k, v) -> narInfos.merge(k, v, AccessTracker::later));
            files.forEach((k, v) -> narFiles.merge(k, v, AccessTracker::later));
        }
    }

    private static <K> Map<K, Instant> drain(ConcurrentHashMap<K, Instant> source) {
        Map<K, Instant> taken = new HashMap<>();
        for (K key : source.keySet()) {
            Instant at = source.remove(key);
            if (at != null) {
                taken.put(key, at);
            }
        }
        return taken;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
