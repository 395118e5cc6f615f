package dev.ncps.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Signed narinfo texts recently served, so that a hit costs a map lookup rather than a database query.
 * Entries expire after a short time because another instance may delete a narinfo (LRU, DELETE) and
 * this one must notice. The bound is on the heap the entries take (their texts plus a fixed estimate
 * of the map's own objects per entry), so it holds whatever the narinfos' sizes, and crude on purpose:
 * when full it is emptied, which costs one database read per entry afterwards and nothing in correctness.
 */
final class NarInfoMemo {
    /** Heap per entry besides its text: the key string and its bytes, the entry, the array header, the map node. */
    static final int ENTRY_OVERHEAD = 176;

    private record Entry(byte[] text, long expiresAt) {
        long bytes() {
            return ENTRY_OVERHEAD + text.length;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;
    private final long ttlNanos;
    private final LongSupplier nanoTime;

    /** @param maxBytes heap the entries may take; 0 keeps nothing */
    NarInfoMemo(long maxBytes, long ttlNanos, LongSupplier nanoTime) {
        this.maxBytes = maxBytes;
        this.ttlNanos = ttlNanos;
        this.nanoTime = nanoTime;
    }

    byte[] get(String hash) {
        Entry entry = entries.get(hash);
        if (entry == null) {
            return null;
        }
        if (nanoTime.getAsLong() - entry.expiresAt() > 0) {
            drop(hash, entry);
            return null;
        }
        return entry.text();
    }

    void put(String hash, byte[] text) {
        Entry entry = new Entry(text, nanoTime.getAsLong() + ttlNanos);
        if (entry.bytes() > maxBytes) {
            return;
        }
        if (bytes.get() + entry.bytes() > maxBytes) {
            entries.forEach(this::drop);
        }
        Entry replaced = entries.put(hash, entry);
        bytes.addAndGet(entry.bytes() - (replaced == null ? 0 : replaced.bytes()));
    }

    void remove(String hash) {
        Entry removed = entries.remove(hash);
        if (removed != null) bytes.addAndGet(-removed.bytes());
    }

    /** Heap the entries take, as counted against the bound. */
    long bytes() {
        return bytes.get();
    }

    private void drop(String hash, Entry entry) {
        if (entries.remove(hash, entry)) bytes.addAndGet(-entry.bytes());
    }
}
