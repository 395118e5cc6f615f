package dev.ncps.index;

import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The metadata of the cache: signed narinfos, the NAR files that back them, access times for LRU and
 * a small key/value table for cluster-wide settings (the signing key). Backed by SQLite, PostgreSQL
 * or MySQL/MariaDB with the same schema history in every dialect.
 *
 * <p>Order of writes (docs/design/architecture.md, invariant 3): callers store NAR bytes first, then {@link #putNarFile}, then
 * {@link #putNarInfo}; deletes go the other way, rows first, bytes after.
 */
public interface Index extends AutoCloseable {

    /** Connects and, unless {@link IndexConfig#migrateOnOpen()} is false, applies pending migrations first. */
    static Index open(IndexConfig config) throws IndexException {
        return open(config, Clock.systemUTC());
    }

    /** As {@link #open(IndexConfig)}; {@code clock} stamps {@code created_at}/{@code updated_at}. */
    static Index open(IndexConfig config, Clock clock) throws IndexException {
        return JdbcIndex.open(config, clock);
    }

    /**
     * Applies pending migrations ({@code ncps migrate up}), or with {@code dryRun} only reports them.
     * Safe while other instances start: Flyway holds a database lock while it migrates.
     */
    static MigrationReport migrate(IndexConfig config, boolean dryRun) throws IndexException {
        return JdbcIndex.migrate(config, dryRun);
    }

    Optional<String> config(String key) throws IndexException;

    /** Stores {@code value} unless the key already has one; returns the value in effect. Safe across instances. */
    String configPutIfAbsent(String key, String value) throws IndexException;

    void configPut(String key, String value) throws IndexException;

    Optional<NarInfoEntry> narInfo(String hash) throws IndexException;

    /**
     * The narinfo of {@code hash} as it is served (its signed text, {@link NarInfo#serialize()}), for the hit path:
     * one statement on one row and no parsing. Rows from before the text column are assembled as {@link #narInfo}.
     */
    Optional<String> narInfoText(String hash) throws IndexException;

    /**
     * As {@link #narInfoText}, for a thread that must not wait (an HTTP I/O thread): hands {@code answer} the text,
     * exactly once, or empty when {@link #narInfoText} must answer (no such row, a row without text yet, a failed
     * read, or an index too busy or closed). SQLite reads at once on the calling thread, and answers before this
     * returns; PostgreSQL and MySQL/MariaDB answer later on a reading thread of the index, which reads every hash
     * asked for meanwhile in one statement. {@code answer} must not block.
     */
    void narInfoTextSoon(String hash, Consumer<Optional<String>> answer);

    /** The build trace entry of a derivation output, with the signatures it was stored with. */
    Optional<BuildTrace> buildTrace(StorePath drvPath, String outputName) throws IndexException;

    /** Inserts or replaces the entry of the derivation output, signatures included. Safe across instances. */
    void putBuildTrace(BuildTrace trace) throws IndexException;

    /** Inserts or replaces the narinfo (with references and signatures) in one transaction. */
    void putNarInfo(NarInfoEntry entry) throws IndexException;

    /** Inserts the narinfo unless its hash already has one; returns false, changing nothing, when it has. */
    boolean putNarInfoIfAbsent(NarInfoEntry entry) throws IndexException;

    boolean deleteNarInfo(String hash) throws IndexException;

    /** A narinfo whose URL names this NAR file (several may share one; any will do). */
    Optional<NarInfoEntry> narInfoForNarFile(NarFileKey key) throws IndexException;

    Optional<NarFileEntry> narFile(String narHash, Compression compression) throws IndexException;

    /** Records that the bytes of a NAR are stored (upsert). */
    void putNarFile(NarFileEntry entry) throws IndexException;

    boolean deleteNarFile(String narHash, Compression compression) throws IndexException;

    /** Applies access times gathered in memory, in batches; rows that no longer exist are ignored. */
    void touch(Map<String, Instant> narInfoAccess, Map<NarFileKey, Instant> narFileAccess) throws IndexException;

    Stats stats() throws IndexException;

    /**
     * Records an object stored for the narinfo of {@code hash} besides its NAR (its listing): its bytes count
     * toward the total LRU compares with its limit, and it is evicted with the narinfo. Recording it again
     * updates its size. False, recording nothing, when there is no such narinfo.
     */
    boolean putSideObject(String hash, String key, long size) throws IndexException;

    /** As {@link #putSideObject}, for a narinfo whose Deriver is {@code drvBaseName} (a build log). */
    boolean putSideObjectOfDeriver(String drvBaseName, String key, long size) throws IndexException;

    /**
     * Deletes least-recently-used narinfos until the stored NAR and side object bytes total at most
     * {@code maxBytes}, never one for which {@code skip} is true (being downloaded or served) nor one listed in a
     * pinned closure ({@link #addPinnedPaths}), then deletes NAR file rows no narinfo refers to any more. Returns those NAR files and the evicted narinfos' side objects,
     * whose bytes the caller removes afterwards. The NAR each removed narinfo names is recorded, in the transaction
     * that removes it, for {@link #evictedNarInfo}; records past their retention or beyond the row bound are pruned
     * on every run.
     * Works in short transactions of a few hundred rows, so writes
     * never wait for a whole run; when one fails after others committed, returns what those freed (the next
     * run continues).
     */
    Evicted evict(long maxBytes, Predicate<String> skip) throws IndexException;

    /**
     * The hash of a narinfo naming this NAR file that {@link #evict} removed, unless it has pruned the record since
     * (it keeps them for {@link #EVICTED_RETENTION}, at most {@link #EVICTED_MAX_ROWS}). A NAR request that finds no
     * row resolves that narinfo again: a client may hold it (from an instance's memory or its own narinfo cache)
     * after the rows went. Only narinfos ncps held and evicted are ever listed.
     */
    Optional<String> evictedNarInfo(NarFileKey key) throws IndexException;

    /** How long {@link #evict} remembers what it removed: Nix keeps a narinfo it fetched for 30 days by default. */
    Duration EVICTED_RETENTION = Duration.ofDays(30);

    /** The most NAR files {@link #evict} remembers (newest first), so an attacker causing churn cannot grow the table. */
    int EVICTED_MAX_ROWS = 500_000;

    /** Every build trace entry (for copying an index). */
    List<BuildTrace> buildTraces() throws IndexException;

    /** Every side object with the hash of the narinfo it belongs to (for copying an index). */
    List<SideObject> sideObjects() throws IndexException;

    record SideObject(String narInfoHash, String key, long size) {}

    /** What an LRU run removed from the index: NAR files, and the storage keys of side objects. */
    record Evicted(List<NarFileEntry> narFiles, List<String> sideObjects) {}

    /**
     * Up to {@code limit} NAR file rows after {@code after} (null: from the start) in (hash, compression) order:
     * maintenance pages through them so memory holds one page, however large the index.
     */
    List<NarFileEntry> narFiles(NarFileKey after, int limit) throws IndexException;

    /**
     * Writes the served text into up to {@code batch} narinfo rows stored before it was kept with the row
     * (migration V2), so their hits become one statement too. Rows are visited in id order from where the
     * last call stopped (kept in the config table, so it resumes after a restart and instances share it),
     * one short transaction per call.
     */
    TextFill fillNarInfoTexts(int batch) throws IndexException;

    /** One call of {@link #fillNarInfoTexts}: the rows it gave their text, and whether rows remain to be visited. */
    record TextFill(int filled, boolean more) {}

    /**
     * Empty while the database takes writes, else a one-line reason for a readiness check (no internals: the
     * details are logged). Never blocks: it answers from the latest write and, when nothing wrote for a couple
     * of seconds, starts a probe write in the background whose outcome the next call reports.
     */
    Optional<String> problem();

    /**
     * Narinfos whose NAR file is not linked to them and that cannot be served as they are: either the
     * NAR file row exists but the link is missing (LRU would not count it), or there is neither a row nor
     * an upstream URL to fetch the NAR from (an upload whose NAR is gone). A narinfo whose NAR was simply
     * not fetched yet has an upstream URL and is not listed.
     */
    List<NarInfoWithoutNar> narInfosWithoutNar() throws IndexException;

    /** Every config entry (the signing key, cluster settings), for copying an index. */
    Map<String, String> configEntries() throws IndexException;

    /** Narinfos in hash order after {@code afterHash} (null: from the start), at most {@code limit}. */
    List<NarInfoEntry> narInfos(String afterHash, int limit) throws IndexException;

    /**
     * Stores NAR file rows, then narinfos (linked to those rows as {@link #putNarInfo} links them), all in
     * one transaction: a batch of a copy is either complete or absent. Existing rows are replaced.
     */
    void putAll(List<NarFileEntry> narFiles, List<NarInfoEntry> narInfos) throws IndexException;

    /**
     * Pins {@code hash}: creates the pin, walking and with the root as its first path, or sets a failed pin walking
     * again; a pin that exists otherwise is left as it is. Returns its status.
     */
    PinStatus pin(String hash) throws IndexException;

    /** Removes the pin and its list of paths; false when there was none. */
    boolean unpin(String hash) throws IndexException;

    Optional<PinStatus> pinStatus(String hash) throws IndexException;

    /** Every pin, in hash order. */
    List<PinStatus> pins() throws IndexException;

    /**
     * Lists paths as members of the closure pinned at {@code root}, which {@link #evict} then never removes.
     * Returns false, changing nothing, when the root is not pinned (any more).
     */
    boolean addPinnedPaths(String root, Collection<String> hashes) throws IndexException;

    /** Records how far the walk of a pin got; false when the root is not pinned (any more). */
    boolean pinProgress(String root, long fetched, PinState state, String error) throws IndexException;

    PinCounts pinCounts() throws IndexException;

    @Override
    void close();

    /** Where fetching a pinned closure stands; a failed pin still protects the paths it listed. */
    enum PinState {
        WALKING, COMPLETE, FAILED;

        public String dbName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static PinState fromDbName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * A pin: its root, its state, the paths of its closure found so far ({@code paths}, the root included) and how
     * many of them are fetched, the reason it failed (null unless failed) and when it was pinned.
     */
    record PinStatus(String hash, PinState state, long paths, long fetched, String error, Instant pinnedAt) {}

    /** Pinned roots, and distinct paths protected by any pin. */
    record PinCounts(long roots, long paths) {}

    /** A narinfo found by {@link #narInfosWithoutNar()}; {@code narFileStored} tells which of the two cases. */
    record NarInfoWithoutNar(String hash, NarFileKey narFile, boolean narFileStored) {}

    /**
     * A narinfo as served (already rewritten to our NAR URL and signed), keyed by its store path hash.
     * {@code upstreamUrl} is the NAR URL at the upstream it came from (absolute), null for uploads.
     */
    record NarInfoEntry(String hash, NarInfo narInfo, String upstreamUrl, Instant lastAccessed) {}

    record NarFileEntry(NarFileKey key, long fileSize, Instant lastAccessed) {}

    record Stats(long narInfoCount, long narFileCount, long totalBytes) {}
}
