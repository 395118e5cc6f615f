package dev.ncps.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.SecretKey;
import dev.ncps.ops.Keygen;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code ncps keygen} writes is read by serve's {@code --cache-secret-key-path}, redirected or as a file. */
class KeygenOutputIsAKeyFileTest {
    @TempDir
    Path dir;

    @Test
    void stdoutRedirectedToAFileIsAcceptedAsTheSecretKey() throws Exception {
        Path keyFile = dir.resolve("redirected.sec");
        try (OutputStream file = Files.newOutputStream(keyFile);
             PrintStream stdout = new PrintStream(file, true, StandardCharsets.UTF_8)) {
            assertThat(new Keygen(stdout, new PrintStream(new ByteArrayOutputStream())).run("cache.example.com-1",
                    Optional.empty(), Optional.empty())).isZero();
        }
        assertThat(loadWithIndex(keyFile).name()).isEqualTo("cache.example.com-1");
    }

    @Test
    void secretFileIsAcceptedAsTheSecretKey() throws Exception {
        Path keyFile = dir.resolve("written.sec");
        PrintStream ignored = new PrintStream(new ByteArrayOutputStream());
        assertThat(new Keygen(ignored, ignored).run("cache.example.com-2", Optional.of(keyFile), Optional.empty())).isZero();
        SecretKey key = loadWithIndex(keyFile);
        assertThat(key.toNixString()).isEqualTo(Files.readString(keyFile).strip());
    }

    private SecretKey loadWithIndex(Path keyFile) throws Exception {
        try (Index index = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("db.sqlite"), null, null, 2, 1, true))) {
            return SigningKeys.load(Optional.of(keyFile), "host", index, null).key();
        }
    }
}
