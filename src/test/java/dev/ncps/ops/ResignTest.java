package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key rotation on a stored cache: resign adds the new key's signature, keeps the previous one for the period, then drops it. */
class ResignTest {
    @TempDir
    Path dir;

    private String run(int expectedExit, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new Cli(config -> 0, config -> 0, new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "host"),
                level -> { }, stream, stream).run(args);
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isEqualTo(expectedExit);
        return output;
    }

    @Test
    void storedNarInfosAreSignedWithTheNewKeyAndThePreviousUntilTheDate() throws Exception {
        SecretKey previous = SecretKey.generate("cache.example.com-1");
        SecretKey current = SecretKey.generate("cache.example.com-2");
        Path previousFile = Files.writeString(dir.resolve("previous.sec"), previous.toNixString() + "\n");
        Path currentFile = Files.writeString(dir.resolve("current.sec"), current.toNixString() + "\n");
        Path storage = dir.resolve("storage");
        String db = "jdbc:sqlite:" + storage.resolve("db/db.sqlite");
        Files.createDirectories(storage.resolve("db"));
        TestCache.Path path;
        try (Index index = Index.open(new IndexConfig(Dialect.SQLITE, db, null, null, 2, 1, true))) {
            path = TestCache.path("rotated", Compression.XZ);
            NarInfo signedBefore = path.narInfo().withSignatures(java.util.List.of(path.narInfo().signatures().getFirst(),
                    previous.sign(path.narInfo().fingerprint())));
            index.putNarInfo(new Index.NarInfoEntry(path.hash(), signedBefore, null, Instant.now()));
        }

        String during = run(0, "resign", "--cache-storage-local", storage.toString(), "--cache-secret-key-path", currentFile.toString(),
                "--cache-previous-secret-key-path", previousFile.toString(), "--cache-previous-key-until", "2999-01-01");
        assertThat(during).contains("1 narinfos, 1 signed again");
        NarInfo both = read(db, path.hash());
        assertThat(both.signatures()).hasSize(3);
        assertThat(both.signatures()).anySatisfy(s -> assertThat(current.publicKey().verify(both.fingerprint(), s)).isTrue());
        assertThat(both.signatures()).anySatisfy(s -> assertThat(previous.publicKey().verify(both.fingerprint(), s)).isTrue());
        assertThat(run(0, "resign", "--cache-storage-local", storage.toString(), "--cache-secret-key-path", currentFile.toString(),
                "--cache-previous-secret-key-path", previousFile.toString(), "--cache-previous-key-until", "2999-01-01"))
                .contains("0 signed again");

        run(0, "resign", "--cache-storage-local", storage.toString(), "--cache-secret-key-path", currentFile.toString(),
                "--cache-previous-secret-key-path", previousFile.toString(), "--cache-previous-key-until", "2020-01-01");
        NarInfo after = read(db, path.hash());
        assertThat(after.signatures()).hasSize(2).noneMatch(s -> s.startsWith("cache.example.com-1:"));

        assertThat(run(2, "resign", "--cache-storage-local", storage.toString(), "--cache-previous-key-until", "2020-01-01"))
                .contains("key rotation needs both");
    }

    private static NarInfo read(String db, String hash) throws Exception {
        try (Index index = Index.open(new IndexConfig(Dialect.SQLITE, db, null, null, 2, 1, true))) {
            return index.narInfo(hash).orElseThrow().narInfo();
        }
    }
}
