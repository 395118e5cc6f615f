package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.index.Dialect;
import dev.ncps.index.GoDatabaseException;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.lru.Lru;
import dev.ncps.lru.LruListener;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A deployment of the Go ncps, built the way the Go ncps leaves it (its SQLite schema from the reference
 * dumps, rows filled as its code fills them, NARs under its object names, its key in the config table),
 * taken over with {@code ncps import-go}: the real nix client then gets every path through ncps-java with
 * no NAR fetched upstream, trusting the Go ncps's public key.
 */
@Tag("slow")
class GoImportEndToEndTest {
    private static final String GO_TIME = "2026-06-01 12:34:56.123456789+00:00";

    @Test
    void aGoDeploymentIsTakenOverAndServedWithoutUpstreamNarRequests() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        Path dir = TestDirs.newWorkDir("go-import");
        Path storage = dir.resolve("storage");
        Path goDb = storage.resolve("db/db.sqlite");
        Files.createDirectories(goDb.getParent());
        SecretKey goKey = SecretKey.generate("go-ncps.example");
        String recompressed = NixUpstreamCache.hashOf(cache.closureRoot());
        String pinned = cache.storePaths().stream().filter(path -> path.endsWith("-libc-2.40")).map(NixUpstreamCache::hashOf)
                .findFirst().orElseThrow();
        try (Connection go = DriverManager.getConnection("jdbc:sqlite:" + goDb)) {
            createGoSchema(go);
            insert(go, "INSERT INTO config (key, value, created_at) VALUES (?, ?, ?)", "secret_key", goKey.toNixString(), GO_TIME);
            for (Map.Entry<String, Path> file : cache.narInfoFiles().entrySet()) {
                NarInfo upstream = NarInfo.parse(Files.readString(file.getValue()));
                storeAsGoDoes(go, storage, goKey, file.getKey(), upstream, cache.narFile(file.getKey()),
                        file.getKey().equals(recompressed));
            }
            chunkedOnly(go);
            insert(go, "INSERT INTO pinned_closures (hash, created_at) VALUES (?, ?)", pinned, GO_TIME);
        }

        try (Index refused = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + goDb, null, null, 2, 1, true))) {
            throw new AssertionError("serve must not open a Go database: " + refused);
        } catch (GoDatabaseException e) {
            assertThat(e).hasMessageContaining("created by the Go ncps").hasMessageContaining("ncps import-go");
        }

        String newDb = "sqlite:" + dir.resolve("ncps-java.sqlite");
        Run dryRun = cli(dir, "import-go", "--go-database-url", "sqlite:" + goDb, "--cache-storage-local", storage.toString(),
                "--cache-database-url", newDb, "--dry-run");
        int paths = cache.storePaths().size();
        assertThat(dryRun.exit()).as(dryRun.output()).isZero();
        assertThat(dryRun.output()).contains("would import " + paths + " narinfos and " + paths + " NAR files",
                "not imported: 1 narinfos whose NAR is stored only as CDC chunks", goKey.publicKey().toNixString());
        Run sameDatabase = cli(dir, "import-go", "--go-database-url", "sqlite:" + goDb, "--cache-storage-local", storage.toString());
        assertThat(sameDatabase.exit()).isEqualTo(2);
        assertThat(sameDatabase.output()).contains("import-go never writes to the Go database");

        Run imported = cli(dir, "import-go", "--go-database-url", "sqlite:" + goDb, "--cache-storage-local", storage.toString(),
                "--cache-database-url", newDb);
        assertThat(imported.exit()).as(imported.output()).isZero();
        assertThat(imported.output()).contains("imported " + paths + " narinfos and " + paths + " NAR files",
                "imported 1 pins; serve fetches their closures when it starts");
        assertThat(cli(dir, "import-go", "--go-database-url", "sqlite:" + goDb, "--cache-storage-local", storage.toString(),
                "--cache-database-url", newDb).exit()).as("re-running is safe").isZero();

        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(),
                     Map.of("CACHE_STORAGE_LOCAL", storage.toString(), "CACHE_DATABASE_URL", newDb));
             NixClient nix = new NixClient();
             var http = Http.client()) {
            String servedKey = Http.text(Http.get(http, ncps.url("/pubkey"))).strip();
            assertThat(servedKey).isEqualTo(goKey.publicKey().toNixString());
            Processes.await("the imported pin's walk, resumed at start", Duration.ofSeconds(60), () -> Http.text(
                    Http.get(http, ncps.url("/pin/" + pinned + ".narinfo"))).contains("\"state\":\"complete\""));

            NixClient.Copy copy = nix.copyClosure(ncps.url(), servedKey, cache.closureRoot());

            assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
            assertThat(cache.storePaths()).allSatisfy(path -> assertThat(nix.hasPath(copy.store(), path)).as(path).isTrue());
            assertThat(upstream.narRequests()).as("upstream: %s", upstream.counts()).isZero();
            assertThat(upstream.narInfoRequests()).as("upstream: %s", upstream.counts()).isZero();
        }

        try (Index index = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:" + newDb, null, null, 2, 1, true));
             LocalStore store = new LocalStore(storage)) {
            assertThat(index.stats().totalBytes()).isPositive();
            new Lru(index, store, 0, Clock.systemUTC(), LruListener.NONE, evicted -> {}).run();
            assertThat(index.stats().narFileCount()).as("the pinned path's").isEqualTo(1);
            assertThat(index.narInfo(pinned)).isPresent();
            List<String> left = new java.util.ArrayList<>();
            store.walk("store/nar/", object -> left.add(object.key()));
            assertThat(left).as("LRU evicted the adopted objects like any other, except the pinned one").hasSize(1);
        }
        TestDirs.deleteTree(dir);
    }

    private record Run(int exit, String output) {}

    private static Run cli(Path dir, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new Cli(config -> 0, config -> 0, new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "host"),
                level -> { }, stream, stream).run(args);
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    /** The Go ncps's SQLite schema and goose version rows, as the reference dumps record them. */
    private static void createGoSchema(Connection go) throws Exception {
        for (String resource : List.of("/go-ncps/schema-sqlite.sql", "/go-ncps/goose-versions-sqlite.sql")) {
            String script;
            try (InputStream in = GoImportEndToEndTest.class.getResourceAsStream(resource)) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try (Statement s = go.createStatement()) {
                for (String statement : script.replaceAll("(?m)^--.*$", "").split(";\\s*\\n")) {
                    if (!statement.isBlank()) s.execute(statement);
                }
            }
        }
    }

    /**
     * One narinfo as the Go ncps stores a pull: the row with ncps's signature appended, references and
     * signatures in order, the nar_files row with the bytes written and its link. A {@code Compression: none}
     * upstream NAR is stored recompressed as {@code <H>.nar.zst} with a {@code none} row.
     */
    private static void storeAsGoDoes(Connection go, Path storage, SecretKey goKey, String hash, NarInfo upstream, Path nar,
                                      boolean asUncompressedUpstream) throws Exception {
        String fileHash = upstream.url().substring(4, upstream.url().indexOf('.'));
        Compression objectCompression = upstream.compression();
        byte[] bytes = Files.readAllBytes(nar);
        String url = upstream.url();
        String compression = upstream.compression().nixName();
        String narFileHash = fileHash;
        if (asUncompressedUpstream) {
            byte[] raw;
            try (InputStream in = upstream.compression().decompress(new java.io.ByteArrayInputStream(bytes))) {
                raw = in.readAllBytes();
            }
            ByteArrayOutputStream zst = new ByteArrayOutputStream();
            try (OutputStream out = Compression.ZSTD.compress(zst)) {
                out.write(raw);
            }
            bytes = zst.toByteArray();
            narFileHash = upstream.narHash().nix32Digest();
            url = "nar/" + narFileHash + ".nar";
            compression = "none";
            objectCompression = Compression.ZSTD;
        }
        Path object = storage.resolve(new NarFileKey(narFileHash, objectCompression).storeKey());
        Files.createDirectories(object.getParent());
        Files.write(object, bytes);

        List<String> signatures = new java.util.ArrayList<>(upstream.signatures());
        signatures.add(goKey.sign(upstream.fingerprint()));
        long id = insert(go, """
                INSERT INTO narinfos (created_at, hash, store_path, url, compression, file_hash, file_size, nar_hash, nar_size,
                                      deriver, system, ca, last_accessed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", GO_TIME, hash, upstream.storePath().toString(), url, compression,
                asUncompressedUpstream ? null : upstream.fileHash().toString(),
                asUncompressedUpstream ? null : upstream.fileSize(), upstream.narHash().toString(), upstream.narSize(),
                upstream.deriver(), upstream.system(), upstream.ca(), GO_TIME);
        for (String reference : upstream.references()) {
            insert(go, "INSERT INTO narinfo_references (narinfo_id, reference) VALUES (?, ?)", id, reference);
        }
        for (String signature : signatures) {
            insert(go, "INSERT INTO narinfo_signatures (narinfo_id, signature) VALUES (?, ?)", id, signature);
        }
        long fileId = insert(go, """
                INSERT INTO nar_files (created_at, hash, compression, file_size, query, total_chunks, bytes_stored_at, last_accessed_at)
                VALUES (?, ?, ?, ?, '', 0, ?, ?)""", GO_TIME, narFileHash, compression, bytes.length, GO_TIME, GO_TIME);
        insert(go, "INSERT INTO narinfo_nar_files (narinfo_id, nar_file_id) VALUES (?, ?)", id, fileId);
    }

    /** A narinfo whose NAR the Go ncps keeps only as CDC chunks: nothing ncps-java can serve. */
    private static void chunkedOnly(Connection go) throws Exception {
        long id = insert(go, """
                INSERT INTO narinfos (created_at, hash, store_path, url, compression, nar_hash, nar_size, last_accessed_at)
                VALUES (?, '00000000000000000000000000000000', '/nix/store/00000000000000000000000000000000-chunked',
                        'nar/1dglqjx5wm3sdq0ggngcyh4gpcwykngkxps0a8v4v1f1f2lzdwd1.nar', 'none',
                        'sha256:1dglqjx5wm3sdq0ggngcyh4gpcwykngkxps0a8v4v1f1f2lzdwd1', 226560, ?)""", GO_TIME, GO_TIME);
        long fileId = insert(go, """
                INSERT INTO nar_files (created_at, hash, compression, file_size, query, total_chunks)
                VALUES (?, '1dglqjx5wm3sdq0ggngcyh4gpcwykngkxps0a8v4v1f1f2lzdwd1', 'none', 226560, '', 3)""", GO_TIME);
        insert(go, "INSERT INTO narinfo_nar_files (narinfo_id, nar_file_id) VALUES (?, ?)", id, fileId);
    }

    private static long insert(Connection go, String sql, Object... values) throws Exception {
        try (PreparedStatement s = go.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < values.length; i++) s.setObject(i + 1, values[i]);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : -1;
            }
        }
    }
}
