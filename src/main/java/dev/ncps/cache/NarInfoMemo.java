package dev.ncps.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Signed narinfo texts recently served, so that a hit costs a map lookup rather than a database query.
 * Entries expire after a short time because another instance may delete a narinfo (LRU, DELETE) and
 * this one must notice. The bound is crude on purpose: when full it is emptied, which costs one
 * database read per entry afterwards and nothing in correctness.
 */
final class NarInfoMemo {
    private record Entry(byte[] text, long expiresAt) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long ttlNanos;
    private final LongSupplier nanoTime;

    NarInfoMemo(int maxEntries, long ttlNanos, LongSupplier nanoTime) {
        this.maxEntries = maxEntries;
        this.ttlNanos = ttlNanos;
        this.nanoTime = nanoTime;
    }

    byte[] get(String hash) {
        Entry entry = entries.get(hash);
        if (entry == null) {
            return null;
        }
        if (nanoTime.getAsLong() - entry.expiresAt() > 0) {
            entries.remove(hash, entry);
            return null;
        }
        return entry.text();
    }

    void put(String hash, byte[] text) {
        if (maxEntries <= 0) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(hash, new Entry(text, nanoTime.getAsLong() + ttlNanos));
    }

    void remove(String hash) {
        entries.remove(hash);
    }
}
