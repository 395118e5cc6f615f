package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;

/** What the cache reports for metrics; the metrics package maps these to Prometheus series. */
public interface CacheListener {

    enum Result { HIT, MISS }

    void narInfoServed(Result result, String upstreamHost);

    void narServed(Result result, String upstreamHost);

    void narDownloadFailed(NarFileKey key, Exception cause);

    CacheListener NONE = new CacheListener() {
        @Override public void narInfoServed(Result result, String upstreamHost) {}
        @Override public void narServed(Result result, String upstreamHost) {}
        @Override public void narDownloadFailed(NarFileKey key, Exception cause) {}
    };
}
