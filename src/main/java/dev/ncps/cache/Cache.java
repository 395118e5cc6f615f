package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;
import dev.ncps.nix.Streams;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * The cache: answers narinfo and NAR requests from storage, and on a miss from the upstreams, fetching
 * each object once however many clients ask for it at the same time.
 *
 * <pre>
 *  narinfo:  memo ─► index ─► (miss) single-flight upstream lookup ─► verify ─► rewrite URL ─► sign ─► index
 *  NAR:      store ─► running download ─► (miss) narinfo in index ─► single-flight download ─► verify ─► store ─► index
 * </pre>
 *
 * A NAR whose narinfo row LRU removed resolves that narinfo again (the narinfo miss path) instead of answering
 * 404 to a client that holds it, whichever instance served the narinfo; see {@link #withSpec}.
 *
 * Results say "not found" only when that is definite; anything transient is "unavailable", which the
 * HTTP layer answers with a 5xx that Nix does not remember the way it remembers a 404.
 */
public final class Cache {
    private static final Logger log = LoggerFactory.getLogger(Cache.class);
    /** A download that finished between our checks is found in the store on the next round. */
    private static final int NAR_RESOLVE_ROUNDS = 3;
    /** Uploaded or relayed. Logs are text; Hydra's largest run to a few MiB. */
    public static final int MAX_BUILD_LOG_BYTES = 64 * 1024 * 1024;
    private static final String NO_NARINFO = "no narinfo in the cache refers to this NAR";

    private final UpstreamSource upstreams;
    private final Store store;
    private final Index index;
    private final Signer signer;
    private final Clock clock;
    private final CacheListener listener;
    private final NarDownloads downloads;
    private final AccessTracker access;
    private final NarInfoMemo memo;
    private final ServedNars served = new ServedNars();
    private final Listings listings;
    private final Pins pins;
    private final Path tempDir;
    private final DownloadCoordinator coordinator;
    private final SingleFlight<NarInfoResult> narInfoLookups = new SingleFlight<>();
    /** Relays of build logs not stored yet, by derivation. */
    private final SingleFlight<BuildLogResult> logRelays = new SingleFlight<>();

    public Cache(UpstreamSource upstreams, Store store, Index index, Signer signer, CacheSettings settings,
                 Clock clock, ExecutorService executor, CacheListener listener, DownloadCoordinator coordinator) {
        this.upstreams = upstreams;
        this.store = store;
        this.index = index;
        this.signer = signer;
        this.clock = clock;
        this.listener = listener;
        this.coordinator = coordinator;
        this.tempDir = settings.tempDir();
        this.downloads = new NarDownloads(upstreams, store, index, settings, clock, executor, listener, coordinator);
        this.access = new AccessTracker(clock, index);
        this.listings = new Listings(this, store, index, upstreams, tempDir);
        this.pins = new Pins(this, index, executor, listener);
        this.memo = new NarInfoMemo(settings.narInfoMemoBytes(), settings.narInfoMemoTtl().toNanos(), System::nanoTime);
    }

    public sealed interface NarInfoResult {}

    /** @param upstreamHost the upstream it was just fetched from, or null when the cache already held it */
    public record NarInfoFound(byte[] text, String upstreamHost) implements NarInfoResult {}

    public record NotFound(String reason) implements NarInfoResult, NarResult, ListingResult, Pins.PinResult, BuildTraceResult,
            BuildLogResult {}

    /**
     * Nothing definite could be said: {@code status} is 502 for upstream trouble, 504 when the upstreams
     * only timed out, 503 for our own storage or database.
     */
    public record Unavailable(int status, String reason) implements NarInfoResult, NarResult, ListingResult, Pins.PinResult,
            Pins.UnpinResult, Pins.ListResult, BuildTraceResult, BuildLogResult {
        static Unavailable upstream(String reason) {
            return new Unavailable(502, reason);
        }

        static Unavailable upstreamTimeout(String reason) {
            return new Unavailable(504, reason);
        }

        static Unavailable local(String reason) {
            return new Unavailable(503, reason);
        }
    }

    public sealed interface NarResult {}

    /**
     * Who asks: a Nix client through the substituter routes, a client of the upload routes (never
     * fetches from upstream), or another ncps instance relaying our download in progress (never starts
     * one, so two instances can never wait on each other).
     */
    public enum Mode { SUBSTITUTE, UPLOAD_ONLY, PEER }

    /** A complete stored object; from {@link #nar} the caller opens or closes its blob (see {@link Store#read}). */
    public record NarStored(Store.Blob blob) implements NarResult {}

    /**
     * A download in progress, read as it arrives from {@code offset} (0 unless a resume offset was asked
     * for and the total {@code size} is known); {@code size} is the total, or -1.
     */
    public record NarStreaming(InputStream body, long size, long offset) implements NarResult {}

    public sealed interface ListingResult {}

    /** Our listing, kept in storage; the caller opens or closes its blob. */
    public record ListingStored(Store.Blob blob) implements ListingResult {}

    /** An upstream's listing, checked as far as a listing alone can be, and bounded in size. */
    public record ListingRelayed(byte[] json) implements ListingResult {}

    public sealed interface BuildTraceResult {}

    public sealed interface BuildLogResult {}

    /** A stored build log; the caller opens or closes its blob. */
    public record BuildLogFound(Store.Blob blob) implements BuildLogResult {}

    /** @param upstreamHost the upstream it was just fetched from, or null when the cache already held it */
    public record BuildTraceFound(BuildTrace trace, String upstreamHost) implements BuildTraceResult {}

    public Signer signer() {
        return signer;
    }

    /** Writes gathered access times to the index; called periodically and at shutdown. */
    public void flushAccessTimes() {
        access.flush();
    }

    /** Why the database cannot serve this instance now (for readiness), or empty; never blocks. */
    public Optional<String> databaseProblem() {
        return index.problem();
    }

    public int activeDownloads() {
        return downloads.activeCount();
    }

    // ---------------------------------------------------------------- narinfo

    /**
     * Hands {@code answer} the signed narinfo when it is held in memory or in the index, or null when {@link #narInfo}
     * must answer (not stored, or not readable without waiting). Never blocks, so the HTTP layer calls it on the I/O
     * thread that parsed the request; the answer comes on that thread, or later on the index's reading thread
     * ({@link Index#narInfoTextSoon}).
     */
    public void narInfoSoon(String hash, Consumer<byte[]> answer) {
        byte[] memoized = memoizedNarInfo(hash);
        if (memoized != null) {
            answer.accept(memoized);
            return;
        }
        index.narInfoTextSoon(hash, text -> answer.accept(text.isPresent() ? servedFromIndex(hash, text.get()) : null));
    }

    /** The signed narinfo if it is held in memory, else null. */
    byte[] memoizedNarInfo(String hash) {
        byte[] memoized = memo.get(hash);
        if (memoized != null) {
            access.narInfoUsed(hash);
            listener.narInfoServed(CacheListener.Result.HIT, null);
        }
        return memoized;
    }

    public NarInfoResult narInfo(String hash, boolean uploadOnly) {
        NarInfoResult result = findNarInfo(hash, uploadOnly);
        if (result instanceof Unavailable unavailable) {
            listener.narInfoFailed(unavailable.status());
        }
        return result;
    }

    private NarInfoResult findNarInfo(String hash, boolean uploadOnly) {
        byte[] memoized = memoizedNarInfo(hash);
        if (memoized != null) {
            return new NarInfoFound(memoized, null);
        }
        return indexedNarInfo(hash, uploadOnly);
    }

    /**
     * As {@link #narInfo}, but never from memory: the row is in the index when this returns it. Pins need that,
     * since a NAR is fetched through its narinfo's row, and LRU may have removed a row whose text is still in memory.
     */
    NarInfoResult indexedNarInfo(String hash, boolean uploadOnly) {
        Optional<String> text;
        try {
            text = index.narInfoText(hash);
        } catch (IndexException e) {
            log.error("narinfo {}: index lookup failed: {}", hash, e.getMessage());
            return Unavailable.local("database unavailable");
        }
        if (text.isPresent()) {
            return new NarInfoFound(servedFromIndex(hash, text.get()), null);
        }
        if (uploadOnly) {
            return new NotFound("not in the cache");
        }
        return lookupOnce(hash);
    }

    /** Concurrent misses for one hash share one upstream lookup. */
    private NarInfoResult lookupOnce(String hash) {
        return switch (narInfoLookups.run(hash, () -> coordinator.narInfoOnce(hash, () -> storedNarInfo(hash),
                () -> fetchNarInfo(hash), reason -> {
                    log.error("narinfo {}: lock backend unavailable: {}", hash, reason);
                    return Unavailable.local("lock backend unavailable");
                }))) {
            case SingleFlight.Ran<NarInfoResult>(NarInfoResult result) -> result;
            // The lookup that failed logged why.
            case SingleFlight.Joined<NarInfoResult> joined ->
                    joined.await(Unavailable.upstream("upstream lookup failed"), Unavailable.local("interrupted"));
        };
    }

    /** What another instance stored while we waited for its lookup. */
    private Optional<NarInfoResult> storedNarInfo(String hash) {
        try {
            return index.narInfoText(hash).map(text -> new NarInfoFound(servedFromIndex(hash, text), null));
        } catch (IndexException e) {
            return Optional.of(Unavailable.local("database unavailable"));
        }
    }

    /** A hit on a narinfo row: kept in memory for the next requests and counted as used. */
    private byte[] servedFromIndex(String hash, String stored) {
        byte[] text = stored.getBytes(StandardCharsets.UTF_8);
        remember(hash, NarInfo.urlOf(stored), text);
        access.narInfoUsed(hash);
        listener.narInfoServed(CacheListener.Result.HIT, null);
        return text;
    }

    private NarInfoResult fetchNarInfo(String hash) {
        UpstreamSource.Lookup lookup = upstreams.lookupNarInfo(hash);
        return switch (lookup) {
            case UpstreamSource.NotFound ignored -> new NotFound("no upstream has it");
            case UpstreamSource.Unavailable u -> u.timedOut() ? Unavailable.upstreamTimeout(u.reason()) : Unavailable.upstream(u.reason());
            case UpstreamSource.Found found -> ingest(hash, found);
        };
    }

    private NarInfoResult ingest(String hash, UpstreamSource.Found found) {
        NarInfo upstream = found.narInfo();
        if (!upstream.storePath().hashPart().equals(hash)) {
            log.warn("narinfo {} from {} describes {}: refused", hash, found.upstreamHost(), upstream.storePath());
            return new NotFound("upstream answered with another path");
        }
        // ncps signs only what it can vouch for (see UpstreamSource.Found).
        NarInfo signed = found.vouched() ? signer.sign(localUrl(upstream)) : localUrl(upstream);
        try {
            index.putNarInfo(new NarInfoEntry(hash, signed, found.narUri().toString(), clock.instant()));
        } catch (IndexException e) {
            log.error("narinfo {}: cannot store it: {}", hash, e.getMessage());
            return Unavailable.local("database unavailable");
        }
        byte[] text = signed.serialize().getBytes(StandardCharsets.UTF_8);
        remember(hash, signed.url(), text);
        listener.narInfoServed(CacheListener.Result.MISS, found.upstreamHost());
        return new NarInfoFound(text, found.upstreamHost());
    }

    private void remember(String hash, String narUrl, byte[] text) {
        memo.put(hash, text);
        // A URL not of our form (an imported narinfo) names no NAR a request can ask for.
        NarFileKey.ofUrl(narUrl).ifPresent(nar -> served.served(nar, hash));
    }

    /**
     * The narinfo with our URL for the NAR ({@link NarFileKey#servedFor}); upstream URLs are kept only in the
     * index. For {@code Compression: none} without FileHash/FileSize they are the NarHash/NarSize, as Nix does.
     */
    static NarInfo localUrl(NarInfo narInfo) {
        Compression compression = narInfo.compression();
        Hash fileHash = narInfo.fileHash();
        long fileSize = narInfo.fileSize();
        if (compression == Compression.NONE && fileHash == null) {
            fileHash = narInfo.narHash();
            fileSize = narInfo.narSize();
        }
        return narInfo.withUrl(NarFileKey.servedFor(narInfo).url(), compression, fileHash, fileSize);
    }

    // ---------------------------------------------------------------- listings

    /** The {@code .ls} listing of the path's NAR, fetching the narinfo and NAR from upstream if needed. */
    public ListingResult listing(String hash) {
        return listings.listing(hash);
    }

    // ---------------------------------------------------------------- pins

    /** Pinned closures: kept out of LRU, fetched completely when pinned. */
    public Pins pins() {
        return pins;
    }

    // ---------------------------------------------------------------- build traces

    /**
     * The build trace entry of a derivation output: from the index, else (unless {@code uploadOnly}) from the
     * first upstream whose key signed one, which is then kept and signed by ncps like a narinfo. Entries are a
     * few hundred bytes looked up by key, so concurrent misses are not merged: storing one twice is harmless.
     */
    public BuildTraceResult buildTrace(StorePath drvPath, String outputName, boolean uploadOnly) {
        String what = drvPath.baseName() + "/" + outputName;
        try {
            Optional<BuildTrace> held = index.buildTrace(drvPath, outputName);
            if (held.isPresent()) {
                return new BuildTraceFound(held.get(), null);
            }
        } catch (IndexException e) {
            log.error("build trace {}: index lookup failed: {}", what, e.getMessage());
            return Unavailable.local("database unavailable");
        }
        if (uploadOnly) {
            return new NotFound("not in the cache");
        }
        return switch (upstreams.lookupBuildTrace(drvPath, outputName)) {
            case UpstreamSource.NotFound ignored -> new NotFound("no upstream has a build trace entry signed by its key");
            case UpstreamSource.Unavailable u -> u.timedOut() ? Unavailable.upstreamTimeout("upstream timed out")
                    : Unavailable.upstream("upstream unavailable");
            case UpstreamSource.TraceFound found -> {
                BuildTrace signed = signer.sign(found.trace());
                try {
                    index.putBuildTrace(signed);
                } catch (IndexException e) {
                    // Served anyway, with our signature; the next request fetches it again.
                    log.warn("build trace {}: cannot store it: {}", what, e.getMessage());
                }
                yield new BuildTraceFound(signed, found.upstreamHost());
            }
        };
    }

    // ---------------------------------------------------------------- build logs

    /**
     * The build log of a derivation ({@code <hash>-<name>.drv}), to be streamed: the stored one, else one relayed
     * from the first upstream that has one, kept through a temp file. Logs are unsigned text that ncps never vouches
     * for, so any upstream may supply one. Never read whole into the heap: one log near the limit ended the process
     * under the launcher's default heap, and relayed logs are fetched by unauthenticated GETs. Concurrent requests
     * for a log that is not stored share one fetch from the upstream.
     */
    public BuildLogResult buildLog(String drvBaseName) throws IOException {
        Optional<Store.Blob> stored = store.read(logKey(drvBaseName));
        if (stored.isPresent()) {
            return new BuildLogFound(stored.get());
        }
        return switch (logRelays.run(drvBaseName, () -> relayBuildLog(drvBaseName))) {
            case SingleFlight.Ran<BuildLogResult>(BuildLogResult result) -> result;
            case SingleFlight.Joined<BuildLogResult>(var running) -> afterRelay(drvBaseName, running);
        };
    }

    private BuildLogResult relayBuildLog(String drvBaseName) throws IOException {
        Optional<InputStream> relayed = upstreams.openLog(drvBaseName);
        if (relayed.isEmpty()) {
            return new NotFound("no build log for " + drvBaseName);
        }
        try (InputStream body = relayed.get()) {
            if (storeBuildLog(drvBaseName, body, MAX_BUILD_LOG_BYTES) < 0) {
                log.warn("log/{}: refused, the upstream's log is longer than {} bytes", drvBaseName, MAX_BUILD_LOG_BYTES);
                return Unavailable.upstream("the upstream's build log is longer than " + MAX_BUILD_LOG_BYTES + " bytes");
            }
        } catch (UpstreamSource.FetchException e) {
            return e.timedOut() ? Unavailable.upstreamTimeout(e.getMessage()) : Unavailable.upstream(e.getMessage());
        }
        return keptBuildLog(drvBaseName);
    }

    /** A request that found the same log being relayed: the same answer, the log read from storage once kept. */
    private BuildLogResult afterRelay(String drvBaseName, CompletableFuture<BuildLogResult> running) throws IOException {
        BuildLogResult result;
        try {
            result = running.get();
        } catch (ExecutionException e) {
            // The relaying request logged the cause and answered 500.
            return Unavailable.local("the build log could not be kept");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the relay of build log " + drvBaseName, e);
        }
        return result instanceof BuildLogFound ? keptBuildLog(drvBaseName) : result;
    }

    private BuildLogResult keptBuildLog(String drvBaseName) throws IOException {
        return store.read(logKey(drvBaseName)).<BuildLogResult>map(BuildLogFound::new)
                .orElseGet(() -> new NotFound("no build log for " + drvBaseName));
    }

    /**
     * Stores an uploaded build log. A log already stored is kept, like the first NAR. Returns false, storing
     * nothing, when the body is longer than {@link #MAX_BUILD_LOG_BYTES}.
     */
    public boolean putBuildLog(String drvBaseName, InputStream body) throws IOException {
        return storeBuildLog(drvBaseName, body, MAX_BUILD_LOG_BYTES) >= 0;
    }

    /**
     * Stores a log through a temp file and accounts it to a narinfo of its derivation, with which LRU evicts it (a
     * log whose derivation has no narinfo here yet is kept unaccounted). Returns its size, or -1, storing nothing,
     * when {@code body} is longer than {@code maxBytes}.
     */
    private long storeBuildLog(String drvBaseName, InputStream body, long maxBytes) throws IOException {
        Path temp = Files.createTempFile(tempDir, "log-", ".txt");
        try {
            long size;
            try (OutputStream out = Files.newOutputStream(temp)) {
                size = Streams.copyAtMost(body, out, maxBytes);
            }
            if (size >= 0) {
                String key = logKey(drvBaseName);
                store.put(key, temp);
                keepSideObject(key, () -> index.putSideObjectOfDeriver(drvBaseName, key, size));
            }
            return size;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @FunctionalInterface
    interface SideObjectRecord {
        boolean record() throws IndexException;
    }

    /** Records a side object for LRU; a failure only leaves it unaccounted, so the request is answered anyway. */
    void keepSideObject(String key, SideObjectRecord record) {
        try {
            if (!record.record()) {
                log.debug("{}: no narinfo to account it to", key);
            }
        } catch (IndexException e) {
            log.warn("{}: cannot account it for LRU: {}", key, e.getMessage());
        }
    }

    /** By the derivation's hash part: store keys allow fewer characters than store path names. */
    private static String logKey(String drvBaseName) {
        return "store/log/" + drvBaseName.substring(0, StorePath.HASH_PART_LENGTH);
    }

    // ---------------------------------------------------------------- NAR

    public NarResult nar(NarFileKey key, long offset, Mode mode) {
        for (int round = 0; round < NAR_RESOLVE_ROUNDS; round++) {
            Optional<Store.Blob> stored;
            try {
                stored = store.read(key.storeKey());
            } catch (IOException e) {
                log.error("nar/{}.nar{}: storage lookup failed: {}", key.narHash(), key.compression().extension(), e.getMessage());
                return Unavailable.local("storage unavailable");
            }
            if (stored.isPresent()) {
                access.narFileUsed(key);
                listener.narServed(CacheListener.Result.HIT, null);
                return new NarStored(stored.get());
            }
            NarResult streaming = switch (mode) {
                case UPLOAD_ONLY -> new NotFound("not in the cache");
                case PEER -> relayRunning(key, offset);
                case SUBSTITUTE -> streamFromUpstream(key, offset);
            };
            if (streaming != null) {
                return streaming;
            }
        }
        return Unavailable.local("download finished but its object is not readable");
    }

    private NarResult relayRunning(NarFileKey key, long offset) {
        Download running = downloads.running(key);
        if (running == null) {
            return new NotFound("not downloading here");
        }
        return readerOf(running, offset, running.expectedSize(), null);
    }

    /** Joins or starts the download; null when it completed meanwhile (look in the store again). */
    private NarResult streamFromUpstream(NarFileKey key, long offset) {
        Download running = downloads.running(key);
        // A failed download still in the map (its cleanup is just behind) is not joined: join() starts a new one.
        if (running != null && running.state() != Download.State.FAILED) {
            return readerOf(running, offset, running.expectedSize(), null);
        }
        return withSpec(key, spec -> readerOf(downloads.join(spec), offset, spec.expectedSize(), spec.upstreamUri().getHost()));
    }

    /**
     * Applies {@code then} to what to fetch for the NAR. When no narinfo row names it but its narinfo was served
     * (by this instance, {@link ServedNars}, or by any, as LRU recorded when it evicted the NAR,
     * {@link Index#evictedNarInfo}), the rows went after that and a client may hold the narinfo: it is resolved
     * again through the miss path (upstream, verification, single-flight, cluster lock), and memory no longer
     * serves the old copy. Either source names only narinfos ncps itself held, so no request can make it fetch
     * anything else; and the NAR is served only if the narinfo fetched again still names it.
     */
    private NarResult withSpec(NarFileKey key, Function<NarSpec, NarResult> then) {
        try {
            Optional<NarSpec> spec = upstreamSpec(key);
            String narInfoHash = spec.isEmpty() ? servedNarInfo(key) : null;
            if (narInfoHash != null) {
                log.debug("nar/{}: no row names it; narinfo {} named it before LRU removed it, looking that up again",
                        key.narHash(), narInfoHash);
                memo.remove(narInfoHash);
                if (indexedNarInfo(narInfoHash, false) instanceof Unavailable unavailable) {
                    return unavailable;
                }
                spec = upstreamSpec(key);
            }
            return spec.map(then).orElseGet(() -> new NotFound(NO_NARINFO));
        } catch (IndexException e) {
            log.error("nar/{}: index lookup failed: {}", key.narHash(), e.getMessage());
            return Unavailable.local("database unavailable");
        }
    }

    /** The narinfo last served for a NAR no row names: from memory, else from LRU's record of what it evicted. */
    private String servedNarInfo(NarFileKey key) throws IndexException {
        String hash = served.narInfoOf(key);
        return hash != null ? hash : index.evictedNarInfo(key).orElse(null);
    }

    /** What to fetch for a NAR: the upstream URL and sizes recorded with the narinfo that names it. */
    private Optional<NarSpec> upstreamSpec(NarFileKey key) throws IndexException {
        return index.narInfoForNarFile(key).filter(owner -> owner.upstreamUrl() != null)
                .map(owner -> NarSpec.of(key, URI.create(owner.upstreamUrl()), owner.narInfo()));
    }

    private NarResult readerOf(Download download, long requestedOffset, long size, String upstreamHost) {
        long offset = size >= 0 && requestedOffset < size ? requestedOffset : 0;
        try {
            Download.Reader reader = download.openReader(offset);
            if (reader == null) {
                return download.state() == Download.State.FAILED
                        ? new Unavailable(download.failureStatus(), download.failureReason()) : null;
            }
            listener.narServed(CacheListener.Result.MISS, upstreamHost);
            return new NarStreaming(reader, size, offset);
        } catch (IOException e) {
            log.error("nar/{}: cannot read the download in progress: {}", download.temp().getFileName(), e.getMessage());
            return Unavailable.local("cannot read the download in progress");
        }
    }

    /** Size of a NAR for HEAD without fetching it: stored size, else the size its narinfo announces. */
    public NarResult narHead(NarFileKey key, Mode mode) {
        try {
            Optional<Store.Blob> stored = store.get(key.storeKey());
            if (stored.isPresent()) {
                return new NarStored(stored.get());
            }
            if (mode != Mode.SUBSTITUTE) {
                return new NotFound("not in the cache");
            }
        } catch (IOException e) {
            log.error("nar/{}: storage lookup failed: {}", key.narHash(), e.getMessage());
            return Unavailable.local("storage unavailable");
        }
        return withSpec(key, spec -> new NarStreaming(InputStream.nullInputStream(), spec.expectedSize(), 0));
    }

    /** Drops a narinfo from the in-memory copy after it was replaced or deleted. */
    void forget(String hash) {
        memo.remove(hash);
    }

    /**
     * LRU removed these NARs' rows: the narinfos this instance served for them leave memory, so the next
     * narinfo request asks the index (other instances forget theirs when the memo entry expires, and meanwhile
     * resolve a NAR request again, see {@link #withSpec}).
     */
    public void narFilesEvicted(List<NarFileKey> keys) {
        for (NarFileKey key : keys) {
            String hash = served.narInfoOf(key);
            if (hash != null) {
                memo.remove(hash);
            }
        }
    }
}
