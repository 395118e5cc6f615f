package dev.ncps.index;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@link Index} over plain JDBC. Every operation is one transaction, retried a few times when the
 * engine reports a lock conflict (SQLite busy, deadlock, serialization failure) or, for upserts, a
 * duplicate key inserted by a concurrent writer (the retry then finds the row and updates it).
 *
 * <p>SQLite allows one writer at a time, so writes go through a pool of exactly one connection and
 * wait for it in process instead of failing with {@code SQLITE_BUSY}; reads use a small separate pool
 * (WAL lets them run beside the writer). PostgreSQL and MySQL use one pool for both.
 */
final class JdbcIndex implements Index {
    private static final Logger log = LoggerFactory.getLogger(JdbcIndex.class);

    static final int BATCH = 500;
    private static final int ATTEMPTS = 5;
    private static final long FIRST_BACKOFF_MILLIS = 20;
    private static final int SQLITE_READERS = 4;
    /** The config row {@link #problem()} writes when no other write told whether the database takes writes. */
    static final String PROBE_KEY = "readiness_probe";
    /** The config row holding the last narinfo id {@link #fillNarInfoTexts} visited, or {@link #FILLED}. */
    static final String TEXT_FILL_KEY = "narinfo_text_filled_to";
    private static final String FILLED = "done";
    private static final int SAVE_EVERY = 50;
    /**
     * How long a batched narinfo read may wait for the server before its requests take the ordinary read; a server
     * that stopped answering otherwise holds every hit queued behind it.
     */
    static final int BATCHED_READ_TIMEOUT_MILLIS = 10_000;

    private final Dialect dialect;
    private final HikariDataSource writer;
    private final HikariDataSource reader;
    /** How {@link #narInfoTextSoon} reads: on the caller's thread for SQLite, in batches for the servers. */
    private final HitReads hits;
    private final Clock clock;
    private final WriteHealth health;
    private final PinRows pins;
    /** Where {@link #fillNarInfoTexts} stopped in this process (the saved position may lag behind it). */
    private final AtomicLong fillCursor = new AtomicLong();
    private final AtomicInteger unsavedFills = new AtomicInteger();

    private JdbcIndex(Dialect dialect, HikariDataSource writer, HikariDataSource reader, InlineReads inline, Clock clock) {
        this.dialect = dialect;
        this.writer = writer;
        this.reader = reader;
        this.clock = clock;
        this.health = new WriteHealth(this::probeWrite, System::nanoTime);
        this.pins = new PinRows(dialect);
        // Last: the batch reader's thread reads through this index's pool.
        this.hits = inline != null ? inline : new BatchedReads(this::narInfoTexts);
    }

    static Index open(IndexConfig config, Clock clock) throws IndexException {
        prepareSqliteFile(config);
        if (config.migrateOnOpen()) migrate(config, false);
        HikariDataSource writer = dataSource(config, "writer",
                config.dialect() == Dialect.SQLITE ? 1 : config.maxOpen(), config.maxIdle());
        if (config.dialect() != Dialect.SQLITE) return new JdbcIndex(config.dialect(), writer, writer, null, clock);
        try {
            int readers = Math.min(config.maxOpen(), SQLITE_READERS);
            return new JdbcIndex(config.dialect(), writer, dataSource(config, "reader", readers, Math.min(readers, config.maxIdle())),
                    new InlineReads(config.jdbcUrl()), clock);
        } catch (IndexException | RuntimeException e) {
            writer.close();
            throw e;
        }
    }

    static MigrationReport migrate(IndexConfig config, boolean dryRun) throws IndexException {
        prepareSqliteFile(config);
        try (HikariDataSource ds = dataSource(config, "migrate", config.dialect() == Dialect.SQLITE ? 1 : 2, 0)) {
            return Migrations.run(config.dialect(), ds, dryRun);
        }
    }

    private static void prepareSqliteFile(IndexConfig config) throws IndexException {
        Path file = config.sqliteFile();
        if (file == null || file.getParent() == null) return;
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new IndexException("cannot create the directory " + file.getParent() + " for the SQLite database: " + e, e);
        }
    }

    private static HikariDataSource dataSource(IndexConfig config, String role, int maxOpen, int maxIdle)
            throws IndexException {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("ncps-index-" + role);
        hikari.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null) hikari.setUsername(config.user());
        if (config.password() != null) hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(maxOpen);
        hikari.setMinimumIdle(Math.min(maxIdle, maxOpen));
        switch (config.dialect()) {
            case SQLITE -> {
                hikari.addDataSourceProperty("journal_mode", "WAL");
                hikari.addDataSourceProperty("busy_timeout", "10000");
                hikari.addDataSourceProperty("foreign_keys", "true");
            }
            // Timestamps are bound as UTC wall-clock values; DEFAULT CURRENT_TIMESTAMP must agree.
            case MYSQL -> hikari.setConnectionInitSql("SET time_zone = '+00:00'");
            case POSTGRESQL -> { }
        }
        // A migration may legitimately work for a long time before it answers; nothing else an instance runs does.
        if (!role.equals("migrate")) config.dialect().limitNetworkWait(hikari, config.networkTimeout());
        try {
            return new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IndexException("cannot connect to the " + config.dialect() + " index at "
                    + IndexConfig.redact(config.jdbcUrl()) + ": " + cause.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- config

    @Override
    public Optional<String> config(String key) throws IndexException {
        return read("read config " + key, c -> configValue(c, key, false));
    }

    @Override
    public String configPutIfAbsent(String key, String value) throws IndexException {
        return write("put config " + key + " if absent", c -> {
            Optional<String> existing = configValue(c, key, true);
            if (existing.isPresent()) return existing.get();
            insertConfig(c, key, value);
            return value;
        });
    }

    @Override
    public void configPut(String key, String value) throws IndexException {
        write("put config " + key, c -> {
            setConfig(c, key, value);
            return null;
        });
    }

    private void setConfig(Connection c, String key, String value) throws SQLException {
        if (configValue(c, key, true).isEmpty()) {
            insertConfig(c, key, value);
            return;
        }
        try (PreparedStatement s = c.prepareStatement(dialect.sql(
                "UPDATE config SET value = ?, updated_at = ? WHERE \"key\" = ?"))) {
            s.setString(1, value);
            dialect.setInstant(s, 2, clock.instant());
            s.setString(3, key);
            s.executeUpdate();
        }
    }

    @Override
    public Map<String, String> configEntries() throws IndexException {
        return read("read all config", c -> {
            try (PreparedStatement s = c.prepareStatement(dialect.sql("SELECT \"key\", value FROM config ORDER BY \"key\""));
                 ResultSet rows = s.executeQuery()) {
                Map<String, String> entries = new java.util.LinkedHashMap<>();
                while (rows.next()) entries.put(rows.getString(1), rows.getString(2));
                return entries;
            }
        });
    }

    private Optional<String> configValue(Connection c, String key, boolean lock) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(dialect.sql(
                "SELECT value FROM config WHERE \"key\" = ?" + (lock ? dialect.forUpdate() : "")))) {
            s.setString(1, key);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    private void insertConfig(Connection c, String key, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(dialect.sql(
                "INSERT INTO config (\"key\", value, created_at) VALUES (?, ?, ?)"))) {
            s.setString(1, key);
            s.setString(2, value);
            dialect.setInstant(s, 3, clock.instant());
            s.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- build traces

    @Override
    public Optional<BuildTrace> buildTrace(StorePath drvPath, String outputName) throws IndexException {
        return read("read build trace " + drvPath.baseName() + "/" + outputName, c -> {
            try (PreparedStatement s = c.prepareStatement(BUILD_TRACE_COLUMNS + " WHERE drv_path = ? AND output_name = ?")) {
                s.setString(1, drvPath.baseName());
                s.setString(2, outputName);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(buildTrace(rows)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<BuildTrace> buildTraces() throws IndexException {
        return read("read all build traces", c -> {
            try (PreparedStatement s = c.prepareStatement(BUILD_TRACE_COLUMNS + " ORDER BY drv_path, output_name");
                 ResultSet rows = s.executeQuery()) {
                List<BuildTrace> traces = new ArrayList<>();
                while (rows.next()) traces.add(buildTrace(rows));
                return traces;
            }
        });
    }

    private static final String BUILD_TRACE_COLUMNS = "SELECT drv_path, output_name, out_path, signatures FROM build_traces";

    private static BuildTrace buildTrace(ResultSet rows) throws SQLException {
        String signatures = rows.getString("signatures");
        try {
            return new BuildTrace(StorePath.parseBaseName(rows.getString("drv_path")), rows.getString("output_name"),
                    StorePath.parseBaseName(rows.getString("out_path")), signatures.isEmpty() ? List.of() : List.of(signatures.split("\n")));
        } catch (NixParseException | IllegalArgumentException e) {
            throw new SQLException("build trace row " + rows.getString("drv_path") + "/" + rows.getString("output_name")
                    + " is corrupt: " + e.getMessage(), e);
        }
    }

    @Override
    public List<SideObject> sideObjects() throws IndexException {
        return read("read all side objects", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT n.hash, o.object_key, o.size FROM side_objects o JOIN narinfos n ON n.id = o.narinfo_id
                    ORDER BY n.hash, o.object_key""");
                 ResultSet rows = s.executeQuery()) {
                List<SideObject> objects = new ArrayList<>();
                while (rows.next()) objects.add(new SideObject(rows.getString(1), rows.getString(2), rows.getLong(3)));
                return objects;
            }
        });
    }

    @Override
    public void putBuildTrace(BuildTrace trace) throws IndexException {
        String drv = trace.drvPath().baseName();
        String signatures = String.join("\n", trace.signatures());
        write("put build trace " + drv + "/" + trace.outputName(), c -> {
            try (PreparedStatement s = c.prepareStatement(dialect.sql(
                    "UPDATE build_traces SET out_path = ?, signatures = ?, updated_at = ? WHERE drv_path = ? AND output_name = ?"))) {
                s.setString(1, trace.outPath().baseName());
                s.setString(2, signatures);
                dialect.setInstant(s, 3, clock.instant());
                s.setString(4, drv);
                s.setString(5, trace.outputName());
                if (s.executeUpdate() > 0) return null;
            }
            // A concurrent insert of the same key makes this a duplicate key, which write() retries as an update.
            try (PreparedStatement s = c.prepareStatement(dialect.sql(
                    "INSERT INTO build_traces (drv_path, output_name, out_path, signatures, created_at) VALUES (?, ?, ?, ?, ?)"))) {
                s.setString(1, drv);
                s.setString(2, trace.outputName());
                s.setString(3, trace.outPath().baseName());
                s.setString(4, signatures);
                dialect.setInstant(s, 5, clock.instant());
                s.executeUpdate();
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- narinfos

    private static final String NARINFO_COLUMNS = """
            SELECT id, hash, store_path, url, compression, file_hash, file_size, nar_hash, nar_size, deriver,
                   "system", ca, upstream_url, last_accessed_at
            FROM narinfos""";

    /**
     * Rows written since the {@code narinfo_text} column exists are answered by one statement on one row: the
     * narinfo as served, its upstream URL and access time. Older rows (no text) take the path that assembles
     * the narinfo from its row, references and signatures in one transaction.
     */
    @Override
    public Optional<NarInfoEntry> narInfo(String hash) throws IndexException {
        Optional<Optional<NarInfoEntry>> stored = withText(hash, "narinfo_text, upstream_url, last_accessed_at",
                (text, rows) -> new NarInfoEntry(hash, parseStored(hash, text), rows.getString("upstream_url"),
                        dialect.getInstant(rows, "last_accessed_at")));
        return stored.isPresent() ? stored.get() : assembledNarInfo(hash);
    }

    @Override
    public void narInfoTextSoon(String hash, Consumer<Optional<String>> answer) {
        hits.ask(hash, answer);
    }

    @Override
    public Optional<String> narInfoText(String hash) throws IndexException {
        Optional<Optional<String>> stored = withText(hash, NARINFO_TEXT, (text, rows) -> text);
        return stored.isPresent() ? stored.get() : assembledNarInfo(hash).map(entry -> entry.narInfo().serialize());
    }

    /** The column a narinfo hit reads, also without waiting ({@link #narInfoTextSoon}). */
    static final String NARINFO_TEXT = "narinfo_text";

    /** The statements {@link BatchedReads} runs, one per power of two of hashes, so a server prepares only a few. */
    private static final String[] TEXTS_BY_HASHES = new String[Integer.numberOfTrailingZeros(BatchedReads.MAX_BATCH) + 1];

    static {
        for (int i = 0; i < TEXTS_BY_HASHES.length; i++) {
            TEXTS_BY_HASHES[i] = "SELECT hash, " + NARINFO_TEXT + " FROM narinfos WHERE hash IN ("
                    + String.join(", ", Collections.nCopies(1 << i, "?")) + ")";
        }
    }

    /** The texts of those of {@code hashes} (distinct, at most {@link BatchedReads#MAX_BATCH}) that have one. */
    Map<String, String> narInfoTexts(List<String> hashes) throws SQLException {
        int size = Math.max(1, Integer.highestOneBit(hashes.size() - 1) << 1);
        String sql = TEXTS_BY_HASHES[Integer.numberOfTrailingZeros(size)];
        return autoCommitted(reader, c -> {
            c.setNetworkTimeout(Runnable::run, BATCHED_READ_TIMEOUT_MILLIS);
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < size; i++) {
                    // Padding repeats the last hash: the same answer, and the statement text stays one of a few.
                    s.setString(i + 1, hashes.get(Math.min(i, hashes.size() - 1)));
                }
                Map<String, String> texts = new HashMap<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        String text = rows.getString(2);
                        if (text != null) texts.put(rows.getString(1), text);
                    }
                }
                return texts;
            }
        });
    }

    static String narInfoByHash(String columns) {
        return "SELECT " + columns + " FROM narinfos WHERE hash = ?";
    }

    private interface TextRow<T> {
        T map(String text, ResultSet row) throws SQLException;
    }

    /**
     * One row by hash in one auto-committed statement: empty inside when there is no row, empty outside when the
     * row has no text (written before the column existed), so the caller assembles it.
     */
    private <T> Optional<Optional<T>> withText(String hash, String columns, TextRow<T> mapper) throws IndexException {
        return read("read narinfo " + hash, c -> {
            try (PreparedStatement s = c.prepareStatement(narInfoByHash(columns))) {
                s.setString(1, hash);
                try (ResultSet rows = s.executeQuery()) {
                    if (!rows.next()) return Optional.of(Optional.empty());
                    String text = rows.getString(NARINFO_TEXT);
                    return text == null ? Optional.empty() : Optional.of(Optional.of(mapper.map(text, rows)));
                }
            }
        });
    }

    private static NarInfo parseStored(String hash, String text) throws SQLException {
        try {
            return NarInfo.parse(text);
        } catch (NixParseException e) {
            throw new SQLException("the stored narinfo " + hash + " is corrupt: " + e.getMessage(), e);
        }
    }

    private Optional<NarInfoEntry> assembledNarInfo(String hash) throws IndexException {
        return readConsistent("read narinfo " + hash, c -> {
            try (PreparedStatement s = c.prepareStatement(dialect.sql(NARINFO_COLUMNS + " WHERE hash = ?"))) {
                s.setString(1, hash);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(narInfoEntry(c, rows)) : Optional.empty();
                }
            }
        });
    }

    /**
     * The position is saved with every batch that filled rows and at the end, else every {@link #SAVE_EVERY}
     * batches: a batch that only visits rows which have their text then changes nothing, and SQLite commits it
     * without a write (on an index whose rows all have text, the first start visits them all).
     */
    @Override
    public TextFill fillNarInfoTexts(int batch) throws IndexException {
        boolean saveNow = unsavedFills.get() >= SAVE_EVERY - 1;
        FillStep step = write("fill the narinfo text of " + batch + " older rows", c -> {
            String cursor = configValue(c, TEXT_FILL_KEY, true).orElse("0");
            if (cursor.equals(FILLED)) return new FillStep(new TextFill(0, false), 0, true);
            long after = Math.max(Long.parseLong(cursor), fillCursor.get());
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM narinfos WHERE id > ? ORDER BY id LIMIT " + batch)) {
                s.setLong(1, after);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) ids.add(rows.getLong(1));
                }
            }
            int filled = ids.isEmpty() ? 0 : fillTexts(c, after, ids.getLast());
            boolean more = ids.size() == batch;
            boolean save = saveNow || filled > 0 || !more;
            if (save) setConfig(c, TEXT_FILL_KEY, more ? Long.toString(ids.getLast()) : FILLED);
            return new FillStep(new TextFill(filled, more), more ? ids.getLast() : after, save);
        });
        fillCursor.set(step.cursor());
        if (step.saved()) unsavedFills.set(0); else unsavedFills.incrementAndGet();
        return step.result();
    }

    private record FillStep(TextFill result, long cursor, boolean saved) {}

    /** Rows in (after, last] without text get the text their row, references and signatures make, as a hit serves it. */
    private int fillTexts(Connection c, long after, long last) throws SQLException {
        Map<Long, String> texts = new java.util.LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(dialect.sql(NARINFO_COLUMNS
                + " WHERE id > ? AND id <= ? AND narinfo_text IS NULL ORDER BY id" + dialect.forUpdate()))) {
            s.setLong(1, after);
            s.setLong(2, last);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) texts.put(rows.getLong("id"), narInfoEntry(c, rows).narInfo().serialize());
            }
        }
        if (texts.isEmpty()) return 0;
        try (PreparedStatement s = c.prepareStatement("UPDATE narinfos SET narinfo_text = ? WHERE id = ? AND narinfo_text IS NULL")) {
            for (Map.Entry<Long, String> e : texts.entrySet()) {
                s.setString(1, e.getValue());
                s.setLong(2, e.getKey());
                s.addBatch();
            }
            s.executeBatch();
        }
        return texts.size();
    }

    @Override
    public List<NarInfoEntry> narInfos(String afterHash, int limit) throws IndexException {
        return read("list narinfos after " + afterHash, c -> {
            try (PreparedStatement s = c.prepareStatement(dialect.sql(NARINFO_COLUMNS
                    + (afterHash == null ? "" : " WHERE hash > ?") + " ORDER BY hash LIMIT " + Math.max(1, limit)))) {
                if (afterHash != null) s.setString(1, afterHash);
                try (ResultSet rows = s.executeQuery()) {
                    List<NarInfoEntry> result = new ArrayList<>();
                    while (rows.next()) result.add(narInfoEntry(c, rows));
                    return result;
                }
            }
        });
    }

    private NarInfoEntry narInfoEntry(Connection c, ResultSet rows) throws SQLException {
        long id = rows.getLong("id");
        NarInfo info = narInfo(rows, strings(c, "SELECT reference FROM narinfo_references WHERE narinfo_id = ? ORDER BY idx", id),
                strings(c, "SELECT signature FROM narinfo_signatures WHERE narinfo_id = ? ORDER BY idx", id));
        return new NarInfoEntry(rows.getString("hash"), info, rows.getString("upstream_url"),
                dialect.getInstant(rows, "last_accessed_at"));
    }

    private List<String> strings(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, id);
            try (ResultSet rows = s.executeQuery()) {
                List<String> result = new ArrayList<>();
                while (rows.next()) result.add(rows.getString(1));
                return List.copyOf(result);
            }
        }
    }

    private NarInfo narInfo(ResultSet rows, List<String> references, List<String> signatures) throws SQLException {
        String storePath = rows.getString("store_path");
        try {
            String compression = rows.getString("compression");
            String fileHash = rows.getString("file_hash");
            long fileSize = rows.getLong("file_size");
            if (rows.wasNull()) fileSize = -1;
            return new NarInfo(StorePath.parse(storePath), rows.getString("url"),
                    compression == null ? null : Compression.fromNixName(compression),
                    fileHash == null ? null : Hash.parse(fileHash), fileSize,
                    Hash.parse(rows.getString("nar_hash")), rows.getLong("nar_size"), references,
                    rows.getString("deriver"), rows.getString("system"), signatures, rows.getString("ca"));
        } catch (NixParseException | IllegalArgumentException e) {
            throw new SQLException("the stored narinfo for " + storePath + " is corrupt: " + e.getMessage(), e);
        }
    }

    @Override
    public void putNarInfo(NarInfoEntry entry) throws IndexException {
        writeCounted("put narinfo " + entry.hash(), (c, totals) -> storeNarInfo(c, entry, true, totals));
    }

    @Override
    public boolean putNarInfoIfAbsent(NarInfoEntry entry) throws IndexException {
        // A concurrent insert of the same hash fails on the unique index; the retry then finds the row.
        return writeCounted("put narinfo " + entry.hash() + " if absent", (c, totals) -> storeNarInfo(c, entry, false, totals));
    }

    /** Stores the narinfo; an existing row is replaced when {@code replace}, else left alone (returns false). */
    private boolean storeNarInfo(Connection c, NarInfoEntry entry, boolean replace, Totals totals) throws SQLException {
        Optional<Long> existing = id(c, "SELECT id FROM narinfos WHERE hash = ?" + dialect.forUpdate(), entry.hash());
        if (existing.isPresent() && !replace) {
            return false;
        }
        long id;
        if (existing.isPresent()) {
            id = existing.get();
            updateNarInfo(c, id, entry);
            for (String child : List.of("narinfo_references", "narinfo_signatures", "narinfo_nar_files")) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + child + " WHERE narinfo_id = ?")) {
                    s.setLong(1, id);
                    s.executeUpdate();
                }
            }
        } else {
            id = insertNarInfo(c, entry);
            totals.narInfos(1);
        }
        insertPositioned(c, "INSERT INTO narinfo_references (narinfo_id, idx, reference) VALUES (?, ?, ?)",
                id, entry.narInfo().references());
        insertPositioned(c, "INSERT INTO narinfo_signatures (narinfo_id, idx, signature) VALUES (?, ?, ?)",
                id, entry.narInfo().signatures());
        linkNarFile(c, id, entry.narInfo().url());
        return true;
    }

    @Override
    public void putAll(List<NarFileEntry> narFiles, List<NarInfoEntry> narInfos) throws IndexException {
        writeCounted("put " + narFiles.size() + " nar files and " + narInfos.size() + " narinfos", (c, totals) -> {
            for (NarFileEntry narFile : narFiles) putNarFile(c, narFile, totals);
            for (NarInfoEntry narInfo : narInfos) storeNarInfo(c, narInfo, true, totals);
            return null;
        });
    }

    private long insertNarInfo(Connection c, NarInfoEntry entry) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(dialect.sql("""
                INSERT INTO narinfos (store_path, url, compression, file_hash, file_size, nar_hash, nar_size, deriver,
                                      "system", ca, upstream_url, last_accessed_at, nar_file_hash, nar_file_compression,
                                      narinfo_text, created_at, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""), new String[] {"id"})) {
            bindNarInfo(s, entry);
            dialect.setInstant(s, 16, clock.instant());
            s.setString(17, entry.hash());
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                if (!keys.next()) throw new SQLException("the database returned no id for the new narinfo row");
                return keys.getLong(1);
            }
        }
    }

    private void updateNarInfo(Connection c, long id, NarInfoEntry entry) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(dialect.sql("""
                UPDATE narinfos SET store_path = ?, url = ?, compression = ?, file_hash = ?, file_size = ?, nar_hash = ?,
                                    nar_size = ?, deriver = ?, "system" = ?, ca = ?, upstream_url = ?,
                                    last_accessed_at = ?, nar_file_hash = ?, nar_file_compression = ?, narinfo_text = ?,
                                    updated_at = ?
                WHERE id = ?"""))) {
            bindNarInfo(s, entry);
            dialect.setInstant(s, 16, clock.instant());
            s.setLong(17, id);
            s.executeUpdate();
        }
    }

    /** Binds parameters 1 to 15 in the column order shared by the insert and the update. */
    private void bindNarInfo(PreparedStatement s, NarInfoEntry entry) throws SQLException {
        NarInfo n = entry.narInfo();
        s.setString(1, n.storePath().toString());
        s.setString(2, n.url());
        s.setString(3, n.compression() == null ? null : n.compression().nixName());
        s.setString(4, n.fileHash() == null ? null : n.fileHash().toString());
        if (n.fileSize() < 0) s.setNull(5, Types.BIGINT); else s.setLong(5, n.fileSize());
        s.setString(6, n.narHash().toString());
        s.setLong(7, n.narSize());
        s.setString(8, n.deriver());
        s.setString(9, n.system());
        s.setString(10, n.ca());
        s.setString(11, entry.upstreamUrl());
        dialect.setInstant(s, 12, entry.lastAccessed() == null ? clock.instant() : entry.lastAccessed());
        Optional<NarFileKey> narFile = NarFileKey.ofUrl(n.url());
        s.setString(13, narFile.map(NarFileKey::narHash).orElse(null));
        s.setString(14, narFile.map(key -> key.compression().nixName()).orElse(null));
        s.setString(15, n.serialize());
    }

    private static void insertPositioned(Connection c, String sql, long id, List<String> values) throws SQLException {
        if (values.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                s.setLong(1, id);
                s.setInt(2, i);
                s.setString(3, values.get(i));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private void linkNarFile(Connection c, long narInfoId, String url) throws SQLException {
        Optional<NarFileKey> key = NarFileKey.ofUrl(url);
        if (key.isEmpty()) return;
        Optional<Long> fileId = narFileId(c, key.get());
        if (fileId.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO narinfo_nar_files (narinfo_id, nar_file_id) VALUES (?, ?)")) {
            s.setLong(1, narInfoId);
            s.setLong(2, fileId.get());
            s.executeUpdate();
        }
    }

    @Override
    public Optional<NarInfoEntry> narInfoForNarFile(NarFileKey key) throws IndexException {
        Optional<String> hash = read("find the narinfo of nar file " + describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT hash FROM narinfos WHERE nar_file_hash = ? AND nar_file_compression = ? ORDER BY id LIMIT 1")) {
                s.setString(1, key.narHash());
                s.setString(2, key.compression().nixName());
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
        return hash.isPresent() ? narInfo(hash.get()) : Optional.empty();
    }

    @Override
    public boolean deleteNarInfo(String hash) throws IndexException {
        return writeCounted("delete narinfo " + hash, (c, totals) -> {
            // Its side objects' rows go with it (ON DELETE CASCADE), and so do their bytes from the totals.
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT COALESCE(SUM(o.size), 0) FROM side_objects o JOIN narinfos n ON n.id = o.narinfo_id WHERE n.hash = ?")) {
                s.setString(1, hash);
                try (ResultSet rows = s.executeQuery()) {
                    rows.next();
                    totals.sideObjects(-rows.getLong(1));
                }
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM narinfos WHERE hash = ?")) {
                s.setString(1, hash);
                int deleted = s.executeUpdate();
                totals.narInfos(-deleted);
                return deleted > 0;
            }
        });
    }

    // ---------------------------------------------------------------- nar files

    @Override
    public Optional<NarFileEntry> narFile(String narHash, Compression compression) throws IndexException {
        NarFileKey key = new NarFileKey(narHash, compression);
        return read("read nar file " + describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT hash, compression, file_size, last_accessed_at FROM nar_files
                    WHERE hash = ? AND compression = ? AND query = ''""")) {
                s.setString(1, narHash);
                s.setString(2, compression.nixName());
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(narFileEntry(rows)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void putNarFile(NarFileEntry entry) throws IndexException {
        writeCounted("put nar file " + describe(entry.key()), (c, totals) -> {
            putNarFile(c, entry, totals);
            return null;
        });
    }

    private void putNarFile(Connection c, NarFileEntry entry, Totals totals) throws SQLException {
        Instant accessed = entry.lastAccessed() == null ? clock.instant() : entry.lastAccessed();
        Optional<SizedRow> existing = lockedNarFile(c, entry.key());
        if (existing.isPresent()) {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE nar_files SET file_size = ?, last_accessed_at = ?, updated_at = ? WHERE id = ?")) {
                s.setLong(1, entry.fileSize());
                dialect.setInstant(s, 2, accessed);
                dialect.setInstant(s, 3, clock.instant());
                s.setLong(4, existing.get().id());
                s.executeUpdate();
            }
            totals.narFile(0, entry.fileSize() - existing.get().fileSize());
            return;
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO nar_files (hash, compression, query, file_size, last_accessed_at, created_at)
                VALUES (?, ?, '', ?, ?, ?)""")) {
            s.setString(1, entry.key().narHash());
            s.setString(2, entry.key().compression().nixName());
            s.setLong(3, entry.fileSize());
            dialect.setInstant(s, 4, accessed);
            dialect.setInstant(s, 5, clock.instant());
            s.executeUpdate();
        }
        totals.narFile(1, entry.fileSize());
        linkNarInfos(c, entry.key());
    }

    /**
     * A narinfo is usually stored before its NAR is downloaded; when the NAR's bytes arrive, every
     * narinfo naming it gets its link, so LRU accounts for the bytes and frees them with the narinfo.
     */
    private void linkNarInfos(Connection c, NarFileKey key) throws SQLException {
        long fileId = narFileId(c, key).orElseThrow(() -> new SQLException("nar file row vanished: " + describe(key)));
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO narinfo_nar_files (narinfo_id, nar_file_id)
                SELECT n.id, ? FROM narinfos n
                WHERE n.nar_file_hash = ? AND n.nar_file_compression = ?
                  AND NOT EXISTS (SELECT 1 FROM narinfo_nar_files l WHERE l.narinfo_id = n.id AND l.nar_file_id = ?)""")) {
            s.setLong(1, fileId);
            s.setString(2, key.narHash());
            s.setString(3, key.compression().nixName());
            s.setLong(4, fileId);
            s.executeUpdate();
        }
    }

    private Optional<Long> narFileId(Connection c, NarFileKey key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM nar_files WHERE hash = ? AND compression = ? AND query = ''")) {
            s.setString(1, key.narHash());
            s.setString(2, key.compression().nixName());
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    private record SizedRow(long id, long fileSize) {}

    /** The NAR file's row, locked for this transaction, with the size the totals count for it. */
    private Optional<SizedRow> lockedNarFile(Connection c, NarFileKey key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, file_size FROM nar_files WHERE hash = ? AND compression = ? AND query = ''" + dialect.forUpdate())) {
            s.setString(1, key.narHash());
            s.setString(2, key.compression().nixName());
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(new SizedRow(rows.getLong(1), rows.getLong(2))) : Optional.empty();
            }
        }
    }

    @Override
    public boolean deleteNarFile(String narHash, Compression compression) throws IndexException {
        NarFileKey key = new NarFileKey(narHash, compression);
        return writeCounted("delete nar file " + describe(key), (c, totals) -> {
            Optional<SizedRow> row = lockedNarFile(c, key);
            if (row.isEmpty()) return false;
            try (PreparedStatement s = c.prepareStatement("DELETE FROM nar_files WHERE id = ?")) {
                s.setLong(1, row.get().id());
                s.executeUpdate();
            }
            totals.narFile(-1, -row.get().fileSize());
            return true;
        });
    }

    @Override
    public List<NarFileEntry> narFiles(NarFileKey after, int limit) throws IndexException {
        return read("list nar files after " + after, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT hash, compression, file_size, last_accessed_at FROM nar_files "
                    + "WHERE query = ''" + (after == null ? "" : " AND (hash > ? OR (hash = ? AND compression > ?))")
                    + " ORDER BY hash, compression LIMIT " + Math.max(1, limit))) {
                if (after != null) {
                    s.setString(1, after.narHash());
                    s.setString(2, after.narHash());
                    s.setString(3, after.compression().nixName());
                }
                try (ResultSet rows = s.executeQuery()) {
                    List<NarFileEntry> result = new ArrayList<>();
                    while (rows.next()) result.add(narFileEntry(rows));
                    return result;
                }
            }
        });
    }

    private NarFileEntry narFileEntry(ResultSet rows) throws SQLException {
        String compression = rows.getString("compression");
        try {
            return new NarFileEntry(new NarFileKey(rows.getString("hash"), Compression.fromNixName(compression)),
                    rows.getLong("file_size"), dialect.getInstant(rows, "last_accessed_at"));
        } catch (NixParseException e) {
            throw new SQLException("nar_files row " + rows.getString("hash") + " has an unknown compression '"
                    + compression + "'", e);
        }
    }

    @Override
    public List<NarInfoWithoutNar> narInfosWithoutNar() throws IndexException {
        return read("list narinfos without their nar file", c -> {
            String stored = "EXISTS (SELECT 1 FROM nar_files f WHERE f.hash = n.nar_file_hash"
                    + " AND f.compression = n.nar_file_compression AND f.query = '')";
            try (PreparedStatement s = c.prepareStatement("SELECT n.hash, n.nar_file_hash, n.nar_file_compression, CASE WHEN "
                    + stored + " THEN 1 ELSE 0 END FROM narinfos n WHERE n.nar_file_hash IS NOT NULL"
                    + " AND NOT EXISTS (SELECT 1 FROM narinfo_nar_files l WHERE l.narinfo_id = n.id)"
                    + " AND (n.upstream_url IS NULL OR " + stored + ") ORDER BY n.id");
                 ResultSet rows = s.executeQuery()) {
                List<NarInfoWithoutNar> result = new ArrayList<>();
                while (rows.next()) {
                    try {
                        result.add(new NarInfoWithoutNar(rows.getString(1),
                                new NarFileKey(rows.getString(2), Compression.fromNixName(rows.getString(3))), rows.getInt(4) == 1));
                    } catch (NixParseException e) {
                        throw new SQLException("narinfo " + rows.getString(1) + " names an unknown compression '"
                                + rows.getString(3) + "'", e);
                    }
                }
                return result;
            }
        });
    }

    // ---------------------------------------------------------------- access times, stats, eviction

    @Override
    public void touch(Map<String, Instant> narInfoAccess, Map<NarFileKey, Instant> narFileAccess) throws IndexException {
        if (narInfoAccess.isEmpty() && narFileAccess.isEmpty()) return;
        write("record access times of " + narInfoAccess.size() + " narinfos and " + narFileAccess.size() + " nar files", c -> {
            for (List<Map.Entry<String, Instant>> batch : batches(narInfoAccess)) touchNarInfos(c, batch);
            for (List<Map.Entry<NarFileKey, Instant>> batch : batches(narFileAccess)) touchNarFiles(c, batch);
            return null;
        });
    }

    /** One UPDATE per batch: {@code SET last_accessed_at = CASE hash WHEN ? THEN ? … END WHERE hash IN (…)}. */
    private void touchNarInfos(Connection c, List<Map.Entry<String, Instant>> batch) throws SQLException {
        String when = (" WHEN ? THEN " + dialect.timestampParameter()).repeat(batch.size());
        String sql = "UPDATE narinfos SET last_accessed_at = CASE hash" + when + " END WHERE hash IN ("
                + placeholders(batch.size()) + ")";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            for (Map.Entry<String, Instant> e : batch) {
                s.setString(p++, e.getKey());
                dialect.setInstant(s, p++, e.getValue());
            }
            for (Map.Entry<String, Instant> e : batch) s.setString(p++, e.getKey());
            s.executeUpdate();
        }
    }

    private void touchNarFiles(Connection c, List<Map.Entry<NarFileKey, Instant>> batch) throws SQLException {
        String when = (" WHEN hash = ? AND compression = ? THEN " + dialect.timestampParameter()).repeat(batch.size());
        String where = String.join(" OR ", Collections.nCopies(batch.size(), "(hash = ? AND compression = ?)"));
        String sql = "UPDATE nar_files SET last_accessed_at = CASE" + when + " END WHERE query = '' AND (" + where + ")";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            for (Map.Entry<NarFileKey, Instant> e : batch) {
                s.setString(p++, e.getKey().narHash());
                s.setString(p++, e.getKey().compression().nixName());
                dialect.setInstant(s, p++, e.getValue());
            }
            for (Map.Entry<NarFileKey, Instant> e : batch) {
                s.setString(p++, e.getKey().narHash());
                s.setString(p++, e.getKey().compression().nixName());
            }
            s.executeUpdate();
        }
    }

    @Override
    public Stats stats() throws IndexException {
        return read("read index statistics", Totals::read);
    }

    @Override
    public Evicted evict(long maxBytes, Predicate<String> skip) throws IndexException {
        pruneEvicted(EVICTED_MAX_ROWS);
        Eviction eviction = new Eviction(dialect, maxBytes, skip,
                stats().totalBytes() + read("read the size of listings and logs", Totals::sideObjectBytes), clock.instant());
        while (!eviction.done()) {
            try {
                eviction.advance(writeCounted("evict least recently used entries down to " + maxBytes + " bytes", eviction::step));
            } catch (IndexException e) {
                // The batches before this one committed: their NAR files are gone from the index and need their bytes removed.
                if (eviction.freed().isEmpty() && eviction.sideObjects().isEmpty()) throw e;
                log.warn("LRU stopped after {} NAR files: {}", eviction.freed().size(), e.getMessage());
                break;
            }
        }
        return new Evicted(eviction.freed(), eviction.sideObjects());
    }

    /**
     * Forgets evicted NAR files past their retention and beyond {@code maxRows}, first on every LRU run, so the table
     * holds at most {@code maxRows} plus what one run evicts. A failure only delays it to the next run.
     */
    void pruneEvicted(int maxRows) {
        try {
            int pruned = write("prune the records of evicted NAR files",
                    c -> Eviction.pruneRecords(c, dialect, clock.instant().minus(EVICTED_RETENTION), maxRows));
            if (pruned > 0) log.debug("LRU forgot {} evicted NAR files", pruned);
        } catch (IndexException e) {
            log.warn("LRU: {}", e.getMessage());
        }
    }

    @Override
    public Optional<String> evictedNarInfo(NarFileKey key) throws IndexException {
        return read("find the evicted nar file " + describe(key), c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT narinfo_hash FROM evicted_nar_files WHERE hash = ? AND compression = ?")) {
                s.setString(1, key.narHash());
                s.setString(2, key.compression().nixName());
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean putSideObject(String hash, String key, long size) throws IndexException {
        return putSideObject("SELECT id FROM narinfos WHERE hash = ?", hash, key, size);
    }

    @Override
    public boolean putSideObjectOfDeriver(String drvBaseName, String key, long size) throws IndexException {
        // Outputs of one derivation share its log: it is counted once, with the first of them.
        return putSideObject("SELECT MIN(id) FROM narinfos WHERE deriver = ?", drvBaseName, key, size);
    }

    private boolean putSideObject(String findNarInfo, String value, String key, long size) throws IndexException {
        return writeCounted("record side object " + key, (c, totals) -> {
            long narInfoId;
            try (PreparedStatement s = c.prepareStatement(findNarInfo)) {
                s.setString(1, value);
                try (ResultSet rows = s.executeQuery()) {
                    if (!rows.next()) return false;
                    narInfoId = rows.getLong(1);
                    if (rows.wasNull()) return false;
                }
            }
            Optional<Long> recorded;
            try (PreparedStatement s = c.prepareStatement("SELECT size FROM side_objects WHERE narinfo_id = ? AND object_key = ?"
                    + dialect.forUpdate())) {
                s.setLong(1, narInfoId);
                s.setString(2, key);
                try (ResultSet rows = s.executeQuery()) {
                    recorded = rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
                }
            }
            try (PreparedStatement s = c.prepareStatement(recorded.isPresent()
                    ? "UPDATE side_objects SET size = ? WHERE narinfo_id = ? AND object_key = ?"
                    : "INSERT INTO side_objects (size, narinfo_id, object_key) VALUES (?, ?, ?)")) {
                s.setLong(1, size);
                s.setLong(2, narInfoId);
                s.setString(3, key);
                s.executeUpdate();
            }
            totals.sideObjects(size - recorded.orElse(0L));
            return true;
        });
    }

    // ---------------------------------------------------------------- pins

    @Override
    public PinStatus pin(String hash) throws IndexException {
        return write("pin " + hash, c -> pins.pin(c, hash, clock.instant()));
    }

    @Override
    public boolean unpin(String hash) throws IndexException {
        return write("unpin " + hash, c -> pins.unpin(c, hash));
    }

    @Override
    public Optional<PinStatus> pinStatus(String hash) throws IndexException {
        return read("read pin " + hash, c -> pins.status(c, hash));
    }

    @Override
    public List<PinStatus> pins() throws IndexException {
        return read("read pins", pins::all);
    }

    @Override
    public boolean addPinnedPaths(String root, Collection<String> hashes) throws IndexException {
        return write("list " + hashes.size() + " paths of the closure pinned at " + root, c -> pins.addPaths(c, root, hashes));
    }

    @Override
    public boolean pinProgress(String root, long fetched, PinState state, String error) throws IndexException {
        return write("record the progress of pin " + root, c -> pins.update(c, root, fetched, state, error, clock.instant()));
    }

    @Override
    public PinCounts pinCounts() throws IndexException {
        return read("count pins", pins::counts);
    }

    @Override
    public Optional<String> problem() {
        return health.problem();
    }

    /** A real write that commits, so that a full disk or an unwritable file shows; one row, overwritten each time. */
    private void probeWrite() throws IndexException {
        configPut(PROBE_KEY, clock.instant().toString());
    }

    @Override
    public void close() {
        health.close();
        hits.close();
        if (reader != writer) reader.close();
        writer.close();
    }

    // ---------------------------------------------------------------- transactions

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * A read of one statement, which the engine answers from one consistent snapshot by itself, so it runs in
     * auto-commit mode: no BEGIN and COMMIT around it, and no reset when the connection returns.
     */
    private <T> T read(String operation, Work<T> work) throws IndexException {
        return transaction(reader, operation, work, false, false);
    }

    /** A read of several statements that must see the same snapshot: one transaction. */
    private <T> T readConsistent(String operation, Work<T> work) throws IndexException {
        return transaction(reader, operation, work, false, true);
    }

    private <T> T write(String operation, Work<T> work) throws IndexException {
        return transaction(writer, operation, work, true, true);
    }

    interface CountedWork<T> {
        T run(Connection connection, Totals totals) throws SQLException;
    }

    /** A write that adds or removes narinfos or NAR files: its changes to the totals are its last statement. */
    private <T> T writeCounted(String operation, CountedWork<T> work) throws IndexException {
        return write(operation, c -> {
            Totals totals = new Totals();
            T result = work.run(c, totals);
            totals.apply(c);
            return result;
        });
    }

    /** Writes also retry a duplicate key (a concurrent upsert won), and their outcome is the database's health. */
    private <T> T transaction(HikariDataSource pool, String operation, Work<T> work, boolean write, boolean atomic)
            throws IndexException {
        long backoff = FIRST_BACKOFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                T result = atomic ? once(pool, work) : autoCommitted(pool, work);
                if (write) health.writeSucceeded();
                return result;
            } catch (SQLException e) {
                boolean retryable = dialect.isTransient(e) || (write && dialect.isDuplicateKey(e));
                if (!retryable || attempt == ATTEMPTS) {
                    IndexException failure = new IndexException(operation + " failed"
                            + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": " + e.getMessage(), e);
                    if (write && !dialect.isDuplicateKey(e)) health.writeFailed(failure);
                    throw failure;
                }
                sleep(operation, backoff + ThreadLocalRandom.current().nextLong(backoff));
                backoff *= 2;
            }
        }
    }

    /**
     * One transaction on one connection. A connection whose commit or rollback failed is discarded, never
     * returned to the pool: its transaction state is unknown (SQLite may already have rolled back on its own
     * after an I/O error or a full disk, and the driver then believes a transaction is open that is not), and a
     * reused one would fail every later commit, or worse, run later statements outside any transaction. So is
     * one the dialect calls spoilt ({@link Dialect#spoilsConnection}), e.g. opened read-only while the file was
     * not writable.
     */
    private <T> T once(HikariDataSource pool, Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.run(c);
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                    if (e instanceof SQLException sql && dialect.spoilsConnection(sql)) pool.evictConnection(c);
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                    pool.evictConnection(c);
                }
                throw e;
            }
            try {
                c.commit();
            } catch (SQLException e) {
                pool.evictConnection(c);
                throw e;
            }
            return result;
        }
    }

    /** A single statement on a connection left in auto-commit mode; a spoilt connection is discarded as in {@link #once}. */
    private <T> T autoCommitted(HikariDataSource pool, Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            try {
                return work.run(c);
            } catch (SQLException e) {
                if (dialect.spoilsConnection(e)) pool.evictConnection(c);
                throw e;
            }
        }
    }

    private static void sleep(String operation, long millis) throws IndexException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IndexException(operation + " interrupted while waiting to retry", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Optional<Long> id(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, value);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
            }
        }
    }

    static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    private static <K> List<List<Map.Entry<K, Instant>>> batches(Map<K, Instant> access) {
        return batches(new ArrayList<>(access.entrySet()));
    }

    /** {@code all} in slices of at most {@link #BATCH}, so a statement's parameters stay within every engine's limit. */
    static <T> List<List<T>> batches(List<T> all) {
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) result.add(all.subList(i, Math.min(all.size(), i + BATCH)));
        return result;
    }

    private static String describe(NarFileKey key) {
        return key.narHash() + ".nar" + key.compression().extension();
    }
}
