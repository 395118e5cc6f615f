package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.ncps.config.ConfigException;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.SqlDatabase;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * import-go reading Go ncps databases on PostgreSQL and MariaDB, created from the reference dumps (the
 * SQLite case, with a real nix client, is GoImportEndToEndTest): rows, order of references and
 * signatures, access times and the key arrive as the Go ncps wrote them.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoImportDialectsTest {
    private static final Instant ACCESSED = Instant.parse("2026-06-01T12:34:56.123456Z");
    @AutoClose
    private final PostgresServer postgres = PostgresServer.start();
    @AutoClose
    private final MariaDbServer mariadb = MariaDbServer.start("go-import");
    @TempDir
    Path dir;

    @Test
    void aGoDatabaseOnPostgresqlIsImported() throws Exception {
        check(postgres.createDatabase(), "postgres", "'2026-06-01 12:34:56.123456+00'");
    }

    @Test
    void aGoDatabaseOnMariaDbIsImported() throws Exception {
        check(mariadb.createDatabase(), "mysql", "'2026-06-01 12:34:56.123456'");
    }

    private void check(SqlDatabase database, String dialect, String timestamp) throws Exception {
        SecretKey goKey = SecretKey.generate("go-ncps.example");
        TestCache.Path first = TestCache.path("first-" + dialect, Compression.XZ);
        TestCache.Path second = TestCache.path("second-" + dialect, Compression.ZSTD);
        DatabaseUrl url = parse(database.url());
        try (Connection dump = DriverManager.getConnection(url.jdbcUrl(), database.user(), database.password())) {
            load(dump, "/go-ncps/schema-" + dialect + ".sql");
            load(dump, "/go-ncps/goose-versions-" + dialect + ".sql");
        }
        // a new session: pg_dump's script empties search_path for the rest of its own
        try (Connection go = DriverManager.getConnection(url.jdbcUrl(), database.user(), database.password())) {
            try (Statement s = go.createStatement()) {
                if (dialect.equals("mysql")) s.execute("SET time_zone = '+00:00'");
                String q = dialect.equals("mysql") ? "`" : "\"";
                s.execute("INSERT INTO config (" + q + "key" + q + ", value) VALUES ('secret_key', '" + goKey.toNixString() + "')");
            }
            for (TestCache.Path path : List.of(first, second)) insert(go, path, goKey, timestamp);
            insert(go, "INSERT INTO pinned_closures (hash) VALUES (?)", first.hash());
        }
        LocalStore store = new LocalStore(dir.resolve(dialect));
        try (store; Index target = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve(dialect + ".sqlite"),
                null, null, 2, 1, true)); GoDatabase go = GoDatabase.open(url)) {
            TestCache cache = new TestCache(target, store);
            cache.putObject(first);
            cache.putObject(second);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);

            GoImport.Result result = new GoImport(go, store, Optional::empty, target, false, stream, stream, false, Clock.systemUTC()).run();

            assertThat(result.narInfos()).as(out.toString(StandardCharsets.UTF_8)).isEqualTo(2);
            assertThat(result.publicKey()).isEqualTo(goKey.publicKey().toNixString());
            assertThat(target.pins()).as("the Go pin, its closure to be fetched by serve")
                    .extracting(Index.PinStatus::hash, Index.PinStatus::state).containsExactly(tuple(first.hash(), Index.PinState.WALKING));
            assertThat(target.config("secret_key")).contains(goKey.toNixString());
            for (TestCache.Path path : List.of(first, second)) {
                Index.NarInfoEntry entry = target.narInfo(path.hash()).orElseThrow();
                NarInfo imported = entry.narInfo();
                assertThat(imported.url()).isEqualTo(path.narInfo().url());
                assertThat(imported.references()).isEqualTo(List.of(path.hash() + "-a", path.hash() + "-b"));
                assertThat(imported.signatures()).hasSize(2);
                assertThat(goKey.publicKey().verify(imported.fingerprint(), imported.signatures().get(1))).isTrue();
                // the Go MySQL schema's timestamp columns keep whole seconds
                assertThat(entry.lastAccessed()).isEqualTo(dialect.equals("mysql")
                        ? ACCESSED.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : ACCESSED);
                assertThat(target.narFile(path.narFile().narHash(), path.narFile().compression())).isPresent();
            }
        }
    }

    private static DatabaseUrl parse(String url) throws ConfigException {
        return DatabaseUrl.parseFlag("--go-database-url", url);
    }

    private static void insert(Connection go, TestCache.Path path, SecretKey goKey, String timestamp) throws Exception {
        NarInfo p = path.narInfo();
        NarInfo n = new NarInfo(p.storePath(), p.url(), p.compression(), p.fileHash(), p.fileSize(), p.narHash(), p.narSize(),
                List.of(path.hash() + "-a", path.hash() + "-b"), p.deriver(), p.system(), p.signatures(), p.ca());
        long id = insert(go, "INSERT INTO narinfos (hash, store_path, url, compression, file_hash, file_size, nar_hash, nar_size, "
                + "last_accessed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, " + timestamp + ")", path.hash(), n.storePath().toString(),
                n.url(), n.compression().nixName(), n.fileHash().toString(), n.fileSize(), n.narHash().toString(), n.narSize());
        for (String reference : n.references()) {
            insert(go, "INSERT INTO narinfo_references (narinfo_id, reference) VALUES (?, ?)", id, reference);
        }
        insert(go, "INSERT INTO narinfo_signatures (narinfo_id, signature) VALUES (?, ?)", id, n.signatures().getFirst());
        insert(go, "INSERT INTO narinfo_signatures (narinfo_id, signature) VALUES (?, ?)", id, goKey.sign(n.fingerprint()));
        long file = insert(go, "INSERT INTO nar_files (hash, compression, file_size, query, total_chunks, last_accessed_at) "
                + "VALUES (?, ?, ?, '', 0, " + timestamp + ")", path.narFile().narHash(), n.compression().nixName(), path.bytes().length);
        insert(go, "INSERT INTO narinfo_nar_files (narinfo_id, nar_file_id) VALUES (?, ?)", id, file);
    }

    private static long insert(Connection go, String sql, Object... values) throws Exception {
        try (PreparedStatement s = go.prepareStatement(sql, new String[] {"id"})) {
            for (int i = 0; i < values.length; i++) s.setObject(i + 1, values[i]);
            s.executeUpdate();
            try (ResultSet keys = s.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : -1;
            }
        }
    }

    /**
     * A dump file, statement by statement; comment lines and MariaDB's client-only sandbox marker are skipped
     * (mysqldump's versioned comments are statements the server runs, such as FOREIGN_KEY_CHECKS=0).
     */
    static void load(Connection go, String resource) throws Exception {
        String script;
        try (InputStream in = GoImportDialectsTest.class.getResourceAsStream(resource)) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String statements = script.lines().filter(line -> !line.startsWith("--") && !line.startsWith("/*M!"))
                .reduce("", (a, b) -> a + b + "\n");
        try (Statement s = go.createStatement()) {
            for (String statement : statements.split(";\\s*\\n")) {
                if (!statement.isBlank()) s.execute(statement);
            }
        }
    }
}
