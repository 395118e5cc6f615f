package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.PinState;
import dev.ncps.index.Index.PinStatus;
import dev.ncps.index.IndexException;
import dev.ncps.nix.JsonString;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Pinned closures. Pinning a path keeps it and everything it references, recursively, out of LRU, and fetches what
 * of that closure the cache does not hold yet (narinfo and NAR, verified as any download), so the closure stays
 * servable when the upstreams are gone. The pin answers once the root's narinfo is known; the rest of the closure is
 * walked in the background, one path at a time, with its progress in the index, so every instance of a cluster
 * shows the same state and an instance that starts resumes the walks that were cut short.
 *
 * <pre>
 *  pin:   root narinfo (fetched if missing) ─► index pin row + root listed ─► walk in the background
 *  walk:  path ─► narinfo ─► NAR ─► list its references not seen yet (before fetching them) ─► next path
 * </pre>
 */
public final class Pins {
    private static final Logger log = LoggerFactory.getLogger(Pins.class);
    /** A closure larger than this fails rather than pinning a large part of a cache by one request. */
    static final int MAX_PATHS = 100_000;

    private final Cache cache;
    private final Index index;
    private final ExecutorService executor;
    private final CacheListener listener;
    /** The walks running in this instance, by root; unpinning cancels one. */
    private final ConcurrentHashMap<String, Walk> walks = new ConcurrentHashMap<>();

    Pins(Cache cache, Index index, ExecutorService executor, CacheListener listener) {
        this.cache = cache;
        this.index = index;
        this.executor = executor;
        this.listener = listener;
    }

    /** A pin's state, or why there is none to show. */
    public sealed interface PinResult permits Pinned, Cache.NotFound, Cache.Unavailable {}

    /**
     * A pin's state as clients read it:
     * {@code {"hash":…,"state":"walking|complete|failed","paths":N,"fetched":N,"pinnedAt":…[,"error":…]}}.
     */
    public record Pinned(String json) implements PinResult {
        static Pinned of(PinStatus status) {
            StringBuilder json = new StringBuilder("{\"hash\":");
            JsonString.append(status.hash(), json);
            json.append(",\"state\":");
            JsonString.append(status.state().dbName(), json);
            json.append(",\"paths\":").append(status.paths()).append(",\"fetched\":").append(status.fetched());
            json.append(",\"pinnedAt\":");
            JsonString.append(status.pinnedAt().toString(), json);
            if (status.error() != null) {
                json.append(",\"error\":");
                JsonString.append(status.error(), json);
            }
            return new Pinned(json.append('}').toString());
        }
    }

    /** What an unpin did: {@code removed} false when there was no such pin (not an error: unpinning is idempotent). */
    public sealed interface UnpinResult permits Unpinned, Cache.Unavailable {}

    public record Unpinned(boolean removed) implements UnpinResult {}

    /** The pinned roots, or why they cannot be read. */
    public sealed interface ListResult permits PinnedRoots, Cache.Unavailable {}

    public record PinnedRoots(List<String> hashes) implements ListResult {}

    /**
     * Pins the closure of {@code hash}. The root's narinfo must be in the cache or an upstream (not found otherwise);
     * pinning again is harmless, and restarts a pin whose walk failed.
     */
    public PinResult pin(String hash) {
        PinResult result = switch (cache.indexedNarInfo(hash, false)) {
            case Cache.NotFound notFound -> notFound;
            case Cache.Unavailable unavailable -> unavailable;
            case Cache.NarInfoFound ignored -> {
                try {
                    PinStatus status = index.pin(hash);
                    if (status.state() == PinState.WALKING) {
                        walk(hash);
                    }
                    yield Pinned.of(status);
                } catch (IndexException e) {
                    yield databaseUnavailable("pin " + hash, e);
                }
            }
        };
        listener.pinOperation("pin", outcome(result));
        return result;
    }

    /** Removes the pin (its paths become ordinary cache entries again). */
    public UnpinResult unpin(String hash) {
        Walk running = walks.remove(hash);
        if (running != null) {
            running.cancelled = true;
        }
        try {
            boolean removed = index.unpin(hash);
            listener.pinOperation("unpin", removed ? "ok" : "not_found");
            return new Unpinned(removed);
        } catch (IndexException e) {
            listener.pinOperation("unpin", "unavailable");
            return databaseUnavailable("unpin " + hash, e);
        }
    }

    public PinResult status(String hash) {
        try {
            return index.pinStatus(hash).<PinResult>map(Pinned::of).orElseGet(() -> new Cache.NotFound("not pinned"));
        } catch (IndexException e) {
            return databaseUnavailable("pin status " + hash, e);
        }
    }

    public ListResult roots() {
        try {
            return new PinnedRoots(index.pins().stream().map(PinStatus::hash).toList());
        } catch (IndexException e) {
            return databaseUnavailable("pin list", e);
        }
    }

    private static Cache.Unavailable databaseUnavailable(String what, IndexException e) {
        log.error("{}: {}", what, e.getMessage());
        return Cache.Unavailable.local("database unavailable");
    }

    /** Continues the walks an instance did not finish (it stopped, or died); called once at startup. */
    public void resume() {
        try {
            for (PinStatus pin : index.pins()) {
                if (pin.state() == PinState.WALKING) {
                    walk(pin.hash());
                }
            }
        } catch (IndexException e) {
            log.warn("cannot resume the walks of pinned closures: {}", e.getMessage());
        }
    }

    private static String outcome(PinResult result) {
        return switch (result) {
            case Pinned ignored -> "ok";
            case Cache.NotFound ignored -> "not_found";
            case Cache.Unavailable ignored -> "unavailable";
        };
    }

    private void walk(String root) {
        Walk walk = new Walk(root);
        if (walks.putIfAbsent(root, walk) != null) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    walk.run();
                } finally {
                    walks.remove(root, walk);
                }
            });
        } catch (RejectedExecutionException e) {
            // Shutting down: the next start resumes it.
            walks.remove(root, walk);
        }
    }

    /** Why one path of a closure could not be fetched. */
    private static final class PathFailed extends Exception {
        PathFailed(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Fetches one closure breadth-first; its state is in the index, its queue only here (a resumed walk starts over). */
    private final class Walk {
        private final String root;
        private volatile boolean cancelled;

        Walk(String root) {
            this.root = root;
        }

        void run() {
            Deque<String> queue = new ArrayDeque<>(List.of(root));
            Set<String> seen = new HashSet<>(queue);
            long fetched = 0;
            try {
                while (!queue.isEmpty()) {
                    String hash = queue.poll();
                    List<String> found = new ArrayList<>();
                    for (String reference : fetch(hash).references()) {
                        String part = reference.substring(0, StorePath.HASH_PART_LENGTH);
                        if (!seen.contains(part)) {
                            found.add(part);
                        }
                    }
                    if (seen.size() + found.size() > MAX_PATHS) {
                        throw new PathFailed("the closure has more than " + MAX_PATHS + " paths");
                    }
                    // Listed before they are fetched, so LRU cannot remove one between its fetch and its listing.
                    if (cancelled || !found.isEmpty() && !index.addPinnedPaths(root, found)) {
                        return;
                    }
                    seen.addAll(found);
                    queue.addAll(found);
                    fetched++;
                    if (cancelled || !index.pinProgress(root, fetched, PinState.WALKING, null)) {
                        return;
                    }
                }
                end(fetched, PinState.COMPLETE, null);
                log.info("pin {}: closure of {} paths complete", root, fetched);
                listener.pinOperation("walk", "ok");
            } catch (PathFailed e) {
                log.warn("pin {}: {}", root, e.getMessage());
                end(fetched, PinState.FAILED, e.getMessage());
                listener.pinOperation("walk", "failed");
            } catch (IndexException e) {
                log.error("pin {}: the walk of its closure stopped: {}", root, e.getMessage());
                end(fetched, PinState.FAILED, "database unavailable");
                listener.pinOperation("walk", "failed");
            }
        }

        private void end(long fetched, PinState state, String error) {
            // A walk stopped by shutdown stays "walking": the next start continues it.
            if (cancelled || state == PinState.FAILED && executor.isShutdown()) {
                return;
            }
            try {
                index.pinProgress(root, fetched, state, error);
            } catch (IndexException e) {
                // Stays "walking": the next start of an instance walks it again.
                log.error("pin {}: cannot record that its walk ended: {}", root, e.getMessage());
            }
        }

        /** Makes sure the path's narinfo and NAR are held (fetching and verifying them if not) and returns the narinfo. */
        private NarInfo fetch(String hash) throws PathFailed {
            NarInfo narInfo = switch (cache.indexedNarInfo(hash, false)) {
                case Cache.NotFound notFound -> throw new PathFailed("path " + hash + ": " + notFound.reason());
                case Cache.Unavailable unavailable -> throw new PathFailed("path " + hash + ": " + unavailable.reason());
                case Cache.NarInfoFound found -> parse(hash, found.text());
            };
            NarFileKey key;
            try {
                key = NarFileKey.parseUrl(narInfo.url());
            } catch (NixParseException e) {
                throw new PathFailed("path " + hash + ": its narinfo names no NAR of ours");
            }
            switch (cache.nar(key, 0, Cache.Mode.SUBSTITUTE)) {
                case Cache.NarStored stored -> stored.blob().close();
                case Cache.NarStreaming streaming -> {
                    // The reader ends only once the download was verified and stored.
                    try (InputStream body = streaming.body()) {
                        body.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        throw new PathFailed("path " + hash + ": the download of its NAR failed");
                    }
                }
                case Cache.NotFound notFound -> throw new PathFailed("path " + hash + ": NAR " + notFound.reason());
                case Cache.Unavailable unavailable -> throw new PathFailed("path " + hash + ": NAR " + unavailable.reason());
            }
            return narInfo;
        }

        private NarInfo parse(String hash, byte[] text) throws PathFailed {
            try {
                return NarInfo.parse(new String(text, StandardCharsets.UTF_8));
            } catch (NixParseException e) {
                throw new PathFailed("path " + hash + ": its stored narinfo is unusable");
            }
        }
    }
}
