package dev.ncps.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import dev.ncps.app.SigningKeys.Loaded;
import dev.ncps.app.SigningKeys.Origin;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the signing key comes from, and that losing the database under existing data is told apart. */
class SigningKeysTest {
    @TempDir
    Path dir;

    @Test
    void aGeneratedKeyIsKeptInTheDatabaseAndUsedAgain() throws Exception {
        try (Index index = index("db1"); LocalStore store = new LocalStore(dir.resolve("storage"))) {
            Loaded first = SigningKeys.load(Optional.empty(), "cache.example", index, store);
            Loaded again = SigningKeys.load(Optional.empty(), "cache.example", index, store);

            assertThat(first.origin()).isEqualTo(Origin.GENERATED);
            assertThat(again.origin()).isEqualTo(Origin.DATABASE);
            assertThat(again.key().toNixString()).isEqualTo(first.key().toNixString());
        }
    }

    @Test
    void aNewDatabaseUnderStorageThatHoldsNarsIsReportedAsALostKey() throws Exception {
        try (LocalStore store = new LocalStore(dir.resolve("storage"))) {
            Path nar = Files.writeString(dir.resolve("some.nar"), "nar bytes");
            store.put(new NarFileKey("1".repeat(52), Compression.XZ).storeKey(), nar);
            try (Index fresh = index("replaced")) {
                assertThat(SigningKeys.load(Optional.empty(), "cache.example", fresh, store).origin())
                        .isEqualTo(Origin.GENERATED_OVER_STORED_OBJECTS);
            }
        }
    }

    @Test
    void aKeyFileSurvivesTheLossOfTheDatabase() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("key.sec"), SecretKey.generate("cache.example").toNixString() + "\n");
        try (LocalStore store = new LocalStore(dir.resolve("storage"))) {
            String before;
            try (Index index = index("lost")) {
                Loaded loaded = SigningKeys.load(Optional.of(keyFile), "cache.example", index, store);
                assertThat(loaded.origin()).isEqualTo(Origin.FILE);
                before = loaded.key().toNixString();
            }
            try (Index replacement = index("replacement")) {
                assertThat(SigningKeys.load(Optional.of(keyFile), "cache.example", replacement, store).key().toNixString())
                        .isEqualTo(before);
            }
        }
    }

    private Index index(String name) throws Exception {
        return Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve(name).resolve("ncps.db"), null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true));
    }
}
