package dev.ncps.ops;

import dev.ncps.config.StorageConfig;
import dev.ncps.nix.Sizes;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.SecretKey;
import dev.ncps.nix.Sizes;
import dev.ncps.nix.StorePath;
import dev.ncps.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes over a Go ncps deployment: its signing key, and every narinfo whose NAR is stored as a whole file,
 * into an ncps-java index, adopting the objects where they are (nothing is copied, so imported paths are
 * hits and LRU counts them). The Go database is only read.
 *
 * <p>ncps-java serves a NAR from the object its narinfo URL names. The Go ncps stores an upstream
 * {@code Compression: none} NAR recompressed as {@code <H>.nar.zst} (or, after other tools,
 * {@code .nar.xz} or {@code .nar}); the imported narinfo then names that object with its real compression.
 * URL, Compression and FileHash/FileSize are outside the narinfo signature, so every stored signature,
 * the Go ncps's own included, stays valid.
 */
public final class GoImport {
    private static final int BATCH = 200;
    /** The Go ncps's signing key file before it kept the key in its database (storage key, all backends). */
    static final String LEGACY_KEY = "config/cache.key";
    private static final int MAX_KEY_FILE = 4096;
    private static final String GO_DATABASE = "the Go database";
    /** Where the Go ncps may have put a {@code none} NAR, in the order it serves them. */
    private static final List<Compression> NONE_OBJECTS = List.of(Compression.ZSTD, Compression.XZ, Compression.NONE);

    private final GoDatabase go;
    private final Store store;
    private final Index target;
    private final boolean dryRun;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;
    private final LegacyKeyFile legacyKey;
    private final Map<String, Long> skipped = new LinkedHashMap<>();

    GoImport(GoDatabase go, Store store, LegacyKeyFile legacyKey, Index target, boolean dryRun, PrintStream out, PrintStream err,
             boolean terminal, Clock clock) {
        this.go = go;
        this.store = store;
        this.legacyKey = legacyKey;
        this.target = target;
        this.dryRun = dryRun;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    public record Result(long narInfos, long narFiles, long bytes, Map<String, Long> skipped, String publicKey) {}

    Result run() throws SQLException, IOException, IndexException, GoDatabase.NotGoException {
        long version = go.schemaVersion();
        String publicKey = importKey();
        long total = go.count("narinfos");
        long narInfos = 0;
        long narFiles = 0;
        long bytes = 0;
        try (Progress progress = new Progress(dryRun ? "checking Go narinfos" : "importing Go narinfos", "narinfos", total,
                err, terminal, clock)) {
            long cursor = 0;
            while (true) {
                List<GoDatabase.Row> rows = go.narInfos(cursor, BATCH);
                if (rows.isEmpty()) break;
                cursor = rows.getLast().id();
                List<NarFileEntry> files = new ArrayList<>();
                List<NarInfoEntry> entries = new ArrayList<>();
                long batchBytes = 0;
                for (GoDatabase.Row row : rows) {
                    Optional<Imported> imported = convert(row);
                    if (imported.isEmpty()) continue;
                    files.add(imported.get().narFile());
                    entries.add(imported.get().narInfo());
                    batchBytes += imported.get().narFile().fileSize();
                }
                if (!dryRun) target.putAll(files, entries);
                narInfos += entries.size();
                narFiles += files.size();
                bytes += batchBytes;
                progress.add(rows.size(), batchBytes);
            }
        }
        long pins = importPins();
        long traces = go.count("build_trace_entries");
        if (traces > 0) skip("build traces (ncps-java does not serve build-trace-v2)", traces);
        printSummary(version, narInfos, narFiles, bytes, publicKey, pins);
        return new Result(narInfos, narFiles, bytes, Map.copyOf(skipped), publicKey);
    }

    private record Imported(NarInfoEntry narInfo, NarFileEntry narFile) {}

    /** The Go pins become pins whose closure serve fetches (and then protects whole) when it starts. */
    private long importPins() throws SQLException, IndexException {
        long imported = 0;
        for (String hash : go.pinnedRoots()) {
            if (!StorePath.isValidHashPart(hash)) {
                skip("pinned closures whose hash is not a store path hash");
                continue;
            }
            if (!dryRun) target.pin(hash);
            imported++;
        }
        return imported;
    }

    /**
     * The signing key, so clients that trust the Go ncps trust ncps-java; returns its public half. The Go ncps
     * keeps it in its database; one that still had the legacy {@value #LEGACY_KEY} and has not started since
     * (it moves that file into the database when it starts) has it only in storage.
     */
    private String importKey() throws SQLException, IOException, IndexException, GoDatabase.NotGoException {
        String source = GO_DATABASE;
        Optional<String> text = go.config("secret_key");
        if (text.isEmpty()) {
            text = legacyKey.read();
            source = "the Go ncps's " + LEGACY_KEY + " in storage";
        }
        if (text.isEmpty()) {
            throw new GoDatabase.NotGoException("the Go database holds no signing key (config secret_key) and the storage has no "
                    + LEGACY_KEY + "; start the Go ncps once so it writes its key into the database, or give ncps-java "
                    + "the key with --cache-secret-key-path");
        }
        String secret = text.get().strip();
        SecretKey key;
        try {
            key = SecretKey.parse(secret);
        } catch (NixParseException e) {
            throw new GoDatabase.NotGoException("the signing key in " + source + " is not a Nix secret key: " + e.getMessage());
        }
        if (!source.equals(GO_DATABASE)) {
            out.println("note: the Go database holds no signing key; " + (dryRun ? "would use" : "using") + " the one in " + source);
        }
        Optional<String> existing = target.config("secret_key");
        if (existing.isPresent() && !existing.get().equals(secret)) {
            out.println("note: the target database had another signing key; it is replaced by the Go ncps's key");
        }
        if (!dryRun) target.configPut("secret_key", secret);
        return key.publicKey().toNixString();
    }

    /** Reads the Go ncps's legacy key file from its storage; empty when there is none. */
    @FunctionalInterface
    interface LegacyKeyFile {
        Optional<String> read() throws IOException;

        /**
         * The file in Go's layout: {@code <root>/config/cache.key} beside {@code <root>/store} for local storage
         * (outside what {@link Store} may touch), the object {@value #LEGACY_KEY} in the bucket for S3.
         */
        static LegacyKeyFile in(StorageConfig storage, Store store) {
            return switch (storage) {
                case StorageConfig.Local(Path root) -> () -> {
                    Path file = root.resolve(LEGACY_KEY);
                    if (!Files.isRegularFile(file)) return Optional.empty();
                    return text(Files.size(file), () -> Files.newInputStream(file));
                };
                case StorageConfig.S3 s3 -> () -> {
                    Optional<Store.Blob> blob = store.get(LEGACY_KEY);
                    if (blob.isEmpty()) return Optional.empty();
                    return text(blob.get().size(), () -> blob.get().open(0));
                };
            };
        }

        private static Optional<String> text(long size, Opener opener) throws IOException {
            if (size > MAX_KEY_FILE) {
                throw new IOException(LEGACY_KEY + " in storage is " + size + " bytes, too large for a secret key");
            }
            try (InputStream in = opener.open()) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8)).filter(t -> !t.isBlank());
            }
        }

        interface Opener {
            InputStream open() throws IOException;
        }
    }

    private Optional<Imported> convert(GoDatabase.Row row) throws SQLException, IOException {
        if (row.url() == null || row.url().isEmpty()) {
            return skip("stub rows whose narinfo is still a legacy file (run the Go 'ncps migrate-narinfo' first)");
        }
        boolean chunked = false;
        for (GoDatabase.File file : go.narFiles(row.id())) {
            if (file.totalChunks() > 0) {
                chunked = true;
                continue;
            }
            if (!file.query().isEmpty()) continue;
            Optional<Compression> named = compression(file.compression());
            if (named.isEmpty() || !validHash(file.hash())) continue;
            List<Compression> candidates = named.get() == Compression.NONE ? NONE_OBJECTS : List.of(named.get());
            for (Compression candidate : candidates) {
                NarFileKey key = new NarFileKey(file.hash(), candidate);
                Optional<Store.Blob> blob = store.get(key.storeKey());
                if (blob.isPresent()) {
                    return narInfo(row, key, blob.get().size(), file);
                }
            }
        }
        return skip(chunked ? "narinfos whose NAR is stored only as CDC chunks (ncps-java has no CDC; fetched again on demand)"
                : "narinfos whose NAR is not in storage (fetched again on demand)");
    }

    private Optional<Imported> narInfo(GoDatabase.Row row, NarFileKey key, long size, GoDatabase.File file) {
        try {
            Optional<Compression> stated = compression(row.compression());
            boolean sameBytes = stated.isPresent() && stated.get() == key.compression();
            NarInfo narInfo = new NarInfo(StorePath.parse(row.storePath()), "nar/" + key.narHash() + ".nar" + key.compression().extension(),
                    key.compression(), sameBytes && row.fileHash() != null ? Hash.parse(row.fileHash()) : null, size,
                    Hash.parse(row.narHash()), row.narSize() == null ? 0 : row.narSize(), go.references(row.id()), row.deriver(),
                    row.system(), go.signatures(row.id()), row.ca());
            return Optional.of(new Imported(new NarInfoEntry(row.hash(), narInfo, null, row.lastAccessed()),
                    new NarFileEntry(key, size, file.lastAccessed())));
        } catch (NixParseException | IllegalArgumentException | SQLException e) {
            return skip("narinfos ncps-java cannot parse (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    private static Optional<Compression> compression(String name) {
        if (name == null || name.isEmpty()) return Optional.of(Compression.NONE);
        try {
            return Optional.of(Compression.fromNixName(name));
        } catch (NixParseException e) {
            return Optional.empty();
        }
    }

    private static boolean validHash(String hash) {
        return hash != null && hash.matches("[0-9a-df-np-sv-z]{52}|[0-9a-f]{64}");
    }

    private <T> Optional<T> skip(String reason) {
        skip(reason, 1);
        return Optional.empty();
    }

    private void skip(String reason, long count) {
        skipped.merge(reason, count, Long::sum);
    }

    private void printSummary(long version, long narInfos, long narFiles, long bytes, String publicKey, long pins) {
        out.println((dryRun ? "import-go dry run" : "import-go summary") + ": Go ncps database at schema version " + version);
        out.println("  signing key: " + publicKey + (dryRun ? " (would be imported)" : " (imported)"));
        out.println("  " + (dryRun ? "would import " : "imported ") + narInfos + " narinfos and " + narFiles
                + " NAR files (" + Sizes.human(bytes) + "), adopted in place");
        if (pins > 0) {
            out.println("  " + (dryRun ? "would import " : "imported ") + pins + " pins; serve fetches their closures when it starts");
        }
        skipped.forEach((reason, count) -> out.println("  not imported: " + count + " " + reason));
        out.println("result: " + (dryRun ? "nothing was written" : "done; start ncps serve on the new database and the same storage"));
    }
}
