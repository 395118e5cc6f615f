package dev.ncps.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers for a short time that an upstream definitively has no (acceptable) narinfo for a hash, so that
 * repeated misses (several clients, Nix retrying) do not hit the upstream again. Bounded: the oldest entry is
 * dropped first. Only definitive answers go in here, never transient failures.
 */
final class NegativeCache {

    private record Key(Upstream upstream, String hash) {}

    private final Duration ttl;
    private final Clock clock;
    private final Map<Key, Instant> expiries;

    NegativeCache(Duration ttl, int maxEntries, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
        this.expiries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Instant> eldest) {
                return size() > maxEntries;
            }
        };
    }

    synchronized void remember(Upstream upstream, String hash) {
        if (ttl.isZero()) {
            return;
        }
        Key key = new Key(upstream, hash);
        // Re-insert so that insertion order stays expiry order and eviction drops the oldest.
        expiries.remove(key);
        expiries.put(key, clock.instant().plus(ttl));
    }

    synchronized boolean isKnownMissing(Upstream upstream, String hash) {
        Key key = new Key(upstream, hash);
        Instant expiry = expiries.get(key);
        if (expiry == null) {
            return false;
        }
        if (clock.instant().isBefore(expiry)) {
            return true;
        }
        expiries.remove(key);
        return false;
    }

    synchronized int size() {
        return expiries.size();
    }
}
