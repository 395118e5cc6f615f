package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;

/** What the cache reports, for metrics and tracing; the metrics package maps these to Prometheus series. */
public interface CacheListener {

    enum Result { HIT, MISS }

    void narInfoServed(Result result, String upstreamHost);

    /** A narinfo request could not be answered: {@code status} is the 5xx the client got. */
    void narInfoFailed(int status);

    void narServed(Result result, String upstreamHost);

    void narDownloadFailed(NarFileKey key, Exception cause);

    /**
     * A pin operation ended: {@code operation} is pin, unpin or walk (fetching a closure); {@code result} is ok,
     * not_found, unavailable or (a walk) failed.
     */
    void pinOperation(String operation, String result);

    CacheListener NONE = new CacheListener() {
        @Override public void narInfoServed(Result result, String upstreamHost) {}
        @Override public void narInfoFailed(int status) {}
        @Override public void narServed(Result result, String upstreamHost) {}
        @Override public void narDownloadFailed(NarFileKey key, Exception cause) {}
        @Override public void pinOperation(String operation, String result) {}
    };
}
