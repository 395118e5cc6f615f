package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which narinfo named each NAR this instance served a narinfo for recently. A client fetches the NAR after
 * the narinfo; when LRU (here or on another instance) removed the rows in between, the NAR's narinfo is
 * found here and resolved again instead of answering 404 to a client that holds a valid narinfo. Only
 * consulted on a NAR miss, so a stale entry costs one lookup and nothing in correctness; when full it is
 * emptied, like {@link NarInfoMemo}.
 */
final class ServedNars {
    /**
     * As many as the memo holds in a server, so that a narinfo still in memory can always lead to its NAR;
     * about 250 bytes an entry, a small part of what the memo's texts take.
     */
    static final int MAX_ENTRIES = 50_000;

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
