package dev.ncps.cache;

import dev.ncps.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A real store whose chosen objects are deleted right after a lookup found them, as LRU on another thread may
 * do between a hit's lookup and the opening of its bytes.
 */
final class VanishingStore implements Store {
    private final Store store;
    private final Set<String> vanishing = ConcurrentHashMap.newKeySet();

    VanishingStore(Store store) {
        this.store = store;
    }

    /** The next lookup of {@code key} that finds it deletes it before the caller can open it. */
    void vanishAfterNextLookup(String key) {
        vanishing.add(key);
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
        return store.put(key, source);
    }

    @Override
    public boolean put(String key, InputStream content) throws IOException {
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
