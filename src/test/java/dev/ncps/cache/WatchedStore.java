package dev.ncps.cache;

import dev.ncps.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real store that a test watches and disturbs: it counts the writes of each key, and deletes chosen objects
 * right after a lookup found them, as LRU on another thread may do between a hit's lookup and the opening of
 * its bytes.
 */
final class WatchedStore implements Store {
    private final Store store;
    private final Set<String> vanishing = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();

    WatchedStore(Store store) {
        this.store = store;
    }

    /** How many times {@code key} was written. */
    int puts(String key) {
        AtomicInteger count = puts.get(key);
        return count == null ? 0 : count.get();
    }

    /** The next lookup of {@code key} that finds it deletes it before the caller can open it. */
    void vanishAfterNextLookup(String key) {
        vanishing.add(key);
    }

    private void counted(String key) {
        puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public Optional<Blob> get(String key) throws IOException {
        Optional<Blob> found = store.get(key);
        if (found.isPresent() && vanishing.remove(key)) {
            store.delete(key);
        }
        return found;
    }

    @Override
    public boolean exists(String key) throws IOException {
        return store.exists(key);
    }

    @Override
    public boolean put(String key, Path source) throws IOException {
        counted(key);
        return store.put(key, source);
    }

    @Override
    public boolean put(String key, InputStream content) throws IOException {
        counted(key);
        return store.put(key, content);
    }

    @Override
    public Optional<Instant> lastModified(String key) throws IOException {
        return store.lastModified(key);
    }

    @Override
    public boolean delete(String key) throws IOException {
        return store.delete(key);
    }

    @Override
    public void walk(String prefix, Consumer<ObjectInfo> visitor) throws IOException {
        store.walk(prefix, visitor);
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
