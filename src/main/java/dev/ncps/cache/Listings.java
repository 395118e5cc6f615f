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

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The {@code <hash>.ls} listings: made from the NAR that ncps serves for the hash, checked against the narinfo's
 * NarHash, and kept in storage next to the NARs so the NAR is read once. An upstream's listing is not signed, so
 * ours is preferred: when the NAR is stored, ours is made; when it is not, an upstream's listing that passes
 * {@link NarListing#check} is relayed without being kept (no NAR download for a listing), and only without one
 * is the NAR fetched, as a client's NAR request would, to make ours.
 *
 * <p>A listing names every file of a NAR, tens of MiB for the largest paths, and is asked for by unauthenticated
 * GETs; held whole, one such request could exhaust the launcher's default heap. So ours is written to a temp file
 * as the NAR is read and served from storage as a stream. An upstream's must be parsed to be checked, which costs
 * several times its text in the heap, so only one is held at a time, and only up to the bound of
 * {@link UpstreamSource#fetchListing} (a longer one is not relayed: ours is made instead).
 */
final class Listings {
    private static final Logger log = LoggerFactory.getLogger(Listings.class);

    private final Cache cache;
    private final Store store;
    private final Index index;
    private final UpstreamSource upstreams;
    private final Path tempDir;
    private final Semaphore relaying = new Semaphore(1);
    /** Requests that come while a listing is being made wait for it instead of reading the NAR again. */
    private final SingleFlight<Cache.ListingResult> making = new SingleFlight<>();

    Listings(Cache cache, Store store, Index index, UpstreamSource upstreams, Path tempDir) {
        this.cache = cache;
        this.store = store;
        this.index = index;
        this.upstreams = upstreams;
        this.tempDir = tempDir;
    }

    static String key(String hash) {
        return "store/ls/" + hash.charAt(0) + "/" + hash.substring(0, 2) + "/" + hash + ".ls";
    }

    Cache.ListingResult listing(String hash) {
        return storedOr(hash, () -> switch (making.run(hash, () -> made(hash))) {
            case SingleFlight.Ran<Cache.ListingResult>(Cache.ListingResult result) -> result;
            case SingleFlight.Joined<Cache.ListingResult> joined -> madeByAnother(hash, joined);
        });
    }

    /** The stored listing, else what {@code otherwise} answers. */
    private Cache.ListingResult storedOr(String hash, Supplier<Cache.ListingResult> otherwise) {
        Optional<Store.Blob> stored;
        try {
            stored = store.read(key(hash));
        } catch (IOException e) {
            log.error("{}.ls: storage lookup failed: {}", hash, e.getMessage());
            return Cache.Unavailable.local("storage unavailable");
        }
        return stored.isPresent() ? new Cache.ListingStored(stored.get()) : otherwise.get();
    }

    private Cache.ListingResult made(String hash) {
        return switch (cache.narInfo(hash, false)) {
            case Cache.NotFound notFound -> notFound;
            case Cache.Unavailable unavailable -> unavailable;
            case Cache.NarInfoFound found -> fromNar(hash, found.text());
        };
    }

    /** The answer of a request that came while another made the listing: what that one got, read anew if stored. */
    private Cache.ListingResult madeByAnother(String hash, SingleFlight.Joined<Cache.ListingResult> joined) {
        // The request that made it logged why it failed.
        Cache.ListingResult result = joined.await(Cache.Unavailable.local("listing failed"),
                Cache.Unavailable.local("interrupted"));
        if (!(result instanceof Cache.ListingStored)) {
            return result;
        }
        // A stored listing's blob belongs to the request that opened it: this one reads its own.
        return storedOr(hash, () -> {
            log.warn("{}.ls: gone from storage as soon as another request stored it", hash);
            return Cache.Unavailable.local("storage unavailable");
        });
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
        Optional<Cache.ListingRelayed> relayed = upstreamListing(hash, key, narInfo);
        if (relayed.isPresent()) {
            return relayed.get();
        }
        Cache.NarResult nar = cache.nar(key, 0, Cache.Mode.SUBSTITUTE);
        if (nar instanceof Cache.NotFound || nar instanceof Cache.Unavailable) {
            return (Cache.ListingResult) nar;
        }
        Path temp;
        try {
            temp = Files.createTempFile(tempDir, "ls-", ".json");
        } catch (IOException e) {
            log.error("{}.ls: cannot create a temp file: {}", hash, e.getMessage());
            return Cache.Unavailable.local("temp directory unusable");
        }
        try {
            return fromNar(hash, key, narInfo, nar, temp);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                log.warn("{}.ls: cannot delete the temp file {}: {}", hash, temp, e.getMessage());
            }
        }
    }

    /** Lists the NAR into {@code temp}, and keeps and serves that if the NAR is the narinfo's. */
    private Cache.ListingResult fromNar(String hash, NarFileKey key, NarInfo narInfo, Cache.NarResult nar, Path temp) {
        NarReader.Summary summary;
        try (InputStream compressed = nar instanceof Cache.NarStreaming streaming ? streaming.body()
                : ((Cache.NarStored) nar).blob().open(0);
             NarListing.Writer listing = new NarListing.Writer(Files.newBufferedWriter(temp, StandardCharsets.UTF_8))) {
            summary = NarReader.read(key.compression().decompress(compressed), listing);
        } catch (UncheckedIOException e) {
            log.error("{}.ls: cannot write the listing to {}: {}", hash, temp, e.getCause().getMessage());
            return Cache.Unavailable.local("temp directory unusable");
        } catch (IOException e) {
            log.error("{}.ls: cannot read its NAR: {}", hash, e.getMessage());
            return Cache.Unavailable.local("NAR unreadable");
        }
        if (!summary.narHash().equals(narInfo.narHash())) {
            log.error("{}.ls: its NAR hashes to {}, not the NarHash {}", hash, summary.narHash(), narInfo.narHash());
            return Cache.Unavailable.local("NAR does not match its narinfo");
        }
        try {
            long size = Files.size(temp);
            store.put(key(hash), temp);
            cache.keepSideObject(key(hash), () -> index.putSideObject(hash, key(hash), size));
            Optional<Store.Blob> stored = store.read(key(hash));
            if (stored.isPresent()) {
                return new Cache.ListingStored(stored.get());
            }
            log.warn("{}.ls: gone from storage as soon as it was stored", hash);
        } catch (IOException e) {
            log.error("{}.ls: cannot store it: {}", hash, e.getMessage());
        }
        return Cache.Unavailable.local("storage unavailable");
    }

    /** An upstream's listing when the NAR is not stored here, if it passes the checks a listing alone allows. */
    private Optional<Cache.ListingRelayed> upstreamListing(String hash, NarFileKey key, NarInfo narInfo) {
        try {
            if (store.get(key.storeKey()).isPresent()) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            relaying.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
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
            return Optional.of(new Cache.ListingRelayed(listing.get().getBytes(StandardCharsets.UTF_8)));
        } finally {
            relaying.release();
        }
    }
}
