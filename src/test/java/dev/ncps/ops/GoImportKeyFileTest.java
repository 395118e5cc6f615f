package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.config.DatabaseUrl;
import dev.ncps.config.StorageConfig;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Go ncps that kept its key in the legacy {@code config/cache.key} and was not started since: the key is
 * only in storage (Go's local layout: {@code <root>/config/cache.key} beside {@code <root>/store}).
 */
class GoImportKeyFileTest {
    @TempDir
    Path dir;
    private Path root;
    private Path goDb;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void goDatabaseWithoutAKey() throws Exception {
        root = dir.resolve("storage");
        goDb = dir.resolve("go.sqlite");
        try (Connection go = DriverManager.getConnection("jdbc:sqlite:" + goDb)) {
            GoImportDialectsTest.load(go, "/go-ncps/schema-sqlite.sql");
            GoImportDialectsTest.load(go, "/go-ncps/goose-versions-sqlite.sql");
        }
    }

    private GoImport.Result importGo(boolean dryRun) throws Exception {
        out.reset();
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (LocalStore store = new LocalStore(root);
             Index target = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("new.sqlite"), null, null, 2, 1, true));
             GoDatabase go = GoDatabase.open(DatabaseUrl.sqlite(goDb))) {
            GoImport.Result result = new GoImport(go, store, GoImport.LegacyKeyFile.in(new StorageConfig.Local(root), store), target,
                    dryRun, stream, stream, false, Clock.systemUTC()).run();
            assertThat(target.config("secret_key").isPresent()).isEqualTo(!dryRun);
            return result;
        }
    }

    @Test
    void theKeyIsReadFromConfigCacheKeyInStorageWhenTheDatabaseHasNone() throws Exception {
        SecretKey goKey = SecretKey.generate("go-ncps.example");
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/cache.key"), goKey.toNixString() + "\n");

        assertThat(importGo(true).publicKey()).isEqualTo(goKey.publicKey().toNixString());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "note: the Go database holds no signing key; would use the one in the Go ncps's config/cache.key in storage",
                "  signing key: " + goKey.publicKey().toNixString() + " (would be imported)");

        GoImport.Result imported = importGo(false);
        assertThat(imported.publicKey()).isEqualTo(goKey.publicKey().toNixString());
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "note: the Go database holds no signing key; using the one in the Go ncps's config/cache.key in storage",
                "  signing key: " + goKey.publicKey().toNixString() + " (imported)");
        try (Index target = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("new.sqlite"), null, null, 2, 1, true))) {
            assertThat(target.config("secret_key")).contains(goKey.toNixString());
        }
        assertThat(root.resolve("config/cache.key")).as("the Go ncps's file is only read").exists();
    }

    @Test
    void withoutKeyInTheDatabaseOrStorageTheImportStopsAndSaysWhereItLooked() {
        assertThatThrownBy(() -> importGo(false)).isInstanceOf(GoDatabase.NotGoException.class)
                .hasMessage("the Go database holds no signing key (config secret_key) and the storage has no config/cache.key; "
                        + "start the Go ncps once so it writes its key into the database, or give ncps-java the key with "
                        + "--cache-secret-key-path");
    }

    @Test
    void aKeyFileThatIsNotASecretKeyIsNamedInTheError() throws Exception {
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/cache.key"), "not a key");
        assertThatThrownBy(() -> importGo(false)).isInstanceOf(GoDatabase.NotGoException.class)
                .hasMessageStartingWith("the signing key in the Go ncps's config/cache.key in storage is not a Nix secret key: ");
    }
}
