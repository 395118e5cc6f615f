package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NarListing;
import dev.ncps.nix.NarReader;
import dev.ncps.nix.NixParseException;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The {@code <hash>.ls} listings: made from the NAR that ncps serves for the hash, checked against the narinfo's
 * NarHash, and kept in storage next to the NARs so the NAR is read once. An upstream's listing is not signed, so
 * ours is preferred: when the NAR is stored, ours is made; when it is not, an upstream's listing that passes
 * {@link NarListing#check} is relayed without being kept (no NAR download for a listing), and only without one
 * is the NAR fetched, as a client's NAR request would, to make ours.
 */
final class Listings {
    private static final Logger log = LoggerFactory.getLogger(Listings.class);

    private final Cache cache;
    private final Store store;
    private final Index index;
    private final UpstreamSource upstreams;

    Listings(Cache cache, Store store, Index index, UpstreamSource upstreams) {
        this.cache = cache;
        this.store = store;
        this.index = index;
        this.upstreams = upstreams;
    }

    static String key(String hash) {
        return "store/ls/" + hash.charAt(0) + "/" + hash.substring(0, 2) + "/" + hash + ".ls";
    }

    Cache.ListingResult listing(String hash) {
        try {
            Optional<Store.Blob> stored = store.get(key(hash));
            if (stored.isPresent()) {
                try (InputStream in = stored.get().open(0)) {
                    return new Cache.ListingFound(in.readAllBytes());
                }
            }
        } catch (IOException e) {
            log.error("{}.ls: storage lookup failed: {}", hash, e.getMessage());
            return Cache.Unavailable.local("storage unavailable");
        }
        return switch (cache.narInfo(hash, false)) {
            case Cache.NotFound notFound -> notFound;
            case Cache.Unavailable unavailable -> unavailable;
            case Cache.NarInfoFound found -> fromNar(hash, found.text());
        };
    }

    private Cache.ListingResult fromNar(String hash, byte[] narInfoText) {
        NarInfo narInfo;
        NarFileKey key;
        try {
            narInfo = NarInfo.parse(new String(narInfoText, StandardCharsets.UTF_8));
            key = NarFileKey.parseUrl(narInfo.url());
        } catch (NixParseException e) {
            log.error("{}.ls: the stored narinfo is unusable: {}", hash, e.getMessage());
            return Cache.Unavailable.local("stored narinfo unusable");
        }
        Optional<Cache.ListingFound> relayed = upstreamListing(hash, key, narInfo);
        if (relayed.isPresent()) {
            return relayed.get();
        }
        Cache.NarResult nar = cache.nar(key, 0, Cache.Mode.SUBSTITUTE);
        if (nar instanceof Cache.NotFound || nar instanceof Cache.Unavailable) {
            return (Cache.ListingResult) nar;
        }
        NarReader.Summary summary;
        try (InputStream compressed = nar instanceof Cache.NarStreaming streaming ? streaming.body()
                : ((Cache.NarStored) nar).blob().open(0)) {
            summary = NarReader.read(key.compression().decompress(compressed), true);
        } catch (IOException e) {
            log.error("{}.ls: cannot read its NAR: {}", hash, e.getMessage());
            return Cache.Unavailable.local("NAR unreadable");
        }
        if (!summary.narHash().equals(narInfo.narHash())) {
            log.error("{}.ls: its NAR hashes to {}, not the NarHash {}", hash, summary.narHash(), narInfo.narHash());
            return Cache.Unavailable.local("NAR does not match its narinfo");
        }
        byte[] json = NarListing.json(summary.entries()).getBytes(StandardCharsets.UTF_8);
        try {
            store.put(key(hash), new ByteArrayInputStream(json));
            cache.keepSideObject(key(hash), () -> index.putSideObject(hash, key(hash), json.length));
        } catch (IOException e) {
            // Served anyway; the next request makes it again.
            log.warn("{}.ls: cannot store it: {}", hash, e.getMessage());
        }
        return new Cache.ListingFound(json);
    }

    /** An upstream's listing when the NAR is not stored here, if it passes the checks a listing alone allows. */
    private Optional<Cache.ListingFound> upstreamListing(String hash, NarFileKey key, NarInfo narInfo) {
        try {
            if (store.get(key.storeKey()).isPresent()) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        Optional<String> listing = upstreams.fetchListing(hash);
        if (listing.isEmpty()) {
            return Optional.empty();
        }
        try {
            NarListing.check(listing.get(), narInfo.narSize());
        } catch (NixParseException e) {
            log.warn("{}.ls: the upstream's listing is refused: {}", hash, e.getMessage());
            return Optional.empty();
        }
        return Optional.of(new Cache.ListingFound(listing.get().getBytes(StandardCharsets.UTF_8)));
    }

}
