package dev.ncps.lru;

import java.time.Duration;

/** What the LRU cleanup reports, for metrics and tracing. Must be fast and must not throw. */
public interface LruListener {

    LruListener NONE = (narInfos, narFiles, bytesFreed, duration) -> {};

    /** One cleanup run ended (a failed run reports what it removed before failing, often nothing). */
    void onCleanup(long narInfosEvicted, int narFilesEvicted, long bytesFreed, Duration duration);
}
