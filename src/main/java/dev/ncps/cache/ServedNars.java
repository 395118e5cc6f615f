package dev.ncps.cache;

import dev.ncps.index.Index.NarFileKey;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which narinfo named each NAR this instance served a narinfo for recently. A client fetches the NAR after
 * the narinfo; when LRU (here or on another instance) removed the rows in between, the NAR's narinfo is
 * found here and resolved again instead of answering 404 to a client that holds a valid narinfo. Only
 * consulted on a NAR miss, so a stale entry costs one lookup and nothing in correctness; when full it is
 * emptied, like {@link NarInfoMemo}.
 */
final class ServedNars {
    /** About 300 bytes an entry: a few MB at most, and more than the NARs a client asks for at once. */
    static final int MAX_ENTRIES = 10_000;

    private final ConcurrentHashMap<NarFileKey, String> narInfoOf = new ConcurrentHashMap<>();

    void served(NarFileKey nar, String narInfoHash) {
        if (narInfoOf.size() >= MAX_ENTRIES) {
            narInfoOf.clear();
        }
        narInfoOf.put(nar, narInfoHash);
    }

    /** The hash of the narinfo last served naming this NAR, or null. */
    String narInfoOf(NarFileKey nar) {
        return narInfoOf.get(nar);
    }
}
