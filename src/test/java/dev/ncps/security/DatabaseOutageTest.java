package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.IndexException;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.SmallVolume;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.TestDirs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database fails under ncps and comes back: a full volume, a database file made immutable, a PostgreSQL
 * restart. While it fails, writes fail and readiness says why; once the cause is gone, writes succeed again within
 * seconds, without a restart (a connection whose commit or rollback failed must not go back to the pool).
 */
@Tag("slow")
@Tag("security")
class DatabaseOutageTest {
    /** How long writes may keep failing after the cause went away. */
    private static final Duration RECOVERY = Duration.ofSeconds(10);

    private int written;

    @Test
    void sqliteWritesRecoverAfterItsVolumeWasFullAndFreed() throws Exception {
        SmallVolume.unavailable().ifPresent(reason -> assumeTrue(false, reason));
        try (SmallVolume volume = SmallVolume.mount(16 * 1024 * 1024);
             Index index = Index.open(sqlite(volume.dir().resolve("ncps.db")))) {
            putNarInfo(index);

            volume.fill();
            Processes.await("readiness to notice the full volume without any write from us", RECOVERY,
                    () -> index.problem().isPresent());
            assertWritesFail(index);

            volume.free();
            assertWritesRecover(index);
        }
    }

    @Test
    void sqliteWritesRecoverAfterItsFilesWereImmutable() throws Exception {
        Path dir = TestDirs.newWorkDir("immutable-db");
        try {
            Immutable.unavailable(dir).ifPresent(reason -> assumeTrue(false, reason));
            try (Index index = Index.open(sqlite(dir.resolve("ncps.db")))) {
                putNarInfo(index);
                List<Path> files = databaseFiles(dir);

                Immutable.set(files, true);
                try {
                    assertWritesFail(index);
                } finally {
                    Immutable.set(files, false);
                }
                assertWritesRecover(index);
            }
        } finally {
            TestDirs.deleteTree(dir);
        }
    }

    @Test
    void postgresWritesRecoverAfterARestart() throws Exception {
        try (PostgresServer postgres = PostgresServer.start()) {
            SqlDatabase database = postgres.createDatabase();
            IndexConfig config = new IndexConfig(Dialect.POSTGRESQL, database.jdbcUrl(), database.user(),
                    database.password(), IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
            try (Index index = Index.open(config)) {
                for (int i = 0; i < IndexConfig.DEFAULT_MAX_IDLE; i++) {
                    putNarInfo(index);
                }

                postgres.restart();

                assertWritesRecover(index);
            }
        }
    }

    private static IndexConfig sqlite(Path file) {
        return new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }

    /**
     * The database and its write-ahead log. Not the {@code -shm} index: SQLite maps it into memory, and when it
     * cannot grow the process dies with SIGBUS, a failure no connection handling can survive.
     */
    private static List<Path> databaseFiles(Path dir) {
        return List.of(dir.resolve("ncps.db"), dir.resolve("ncps.db-wal"));
    }

    /** Big narinfos, so that a full volume cannot absorb them in pages SQLite already holds. */
    private void assertWritesFail(Index index) {
        assertThatThrownBy(() -> {
            for (int i = 0; i < 50; i++) {
                putNarInfo(index);
            }
        }).isInstanceOf(IndexException.class);
        assertThat(index.problem()).as("readiness after a failed write").contains("database writes fail");
    }

    /**
     * Within {@link #RECOVERY}, a write succeeds; then every following write does too, and each narinfo reads back
     * whole (its references and signatures were written in the same transaction as its row).
     */
    private void assertWritesRecover(Index index) throws Exception {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (true) {
            try {
                putNarInfo(index);
                break;
            } catch (IndexException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("writes still fail " + RECOVERY.toSeconds()
                            + " s after the database came back: " + e.getMessage(), e);
                }
                Thread.sleep(200);
            }
        }
        for (int i = 0; i < 20; i++) {
            NarInfoEntryCheck check = putNarInfo(index);
            Optional<Index.NarInfoEntry> stored = index.narInfo(check.hash());
            assertThat(stored).as("narinfo %s after recovery", check.hash()).isPresent();
            assertThat(stored.get().narInfo()).isEqualTo(check.narInfo());
        }
        assertThat(index.problem()).as("readiness after writes succeed again").isEmpty();
    }

    private record NarInfoEntryCheck(String hash, NarInfo narInfo) {}

    private NarInfoEntryCheck putNarInfo(Index index) throws IndexException {
        NarInfoEntryCheck next = narInfo(written++);
        index.putNarInfo(new Index.NarInfoEntry(next.hash(), next.narInfo(), "http://upstream.invalid/" + next.hash(),
                Instant.now()));
        return next;
    }

    private static NarInfoEntryCheck narInfo(int n) {
        String hash = hashPart("path" + n);
        List<String> references = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            references.add(hashPart("ref" + n + "-" + i) + "-dependency-with-a-long-name-" + i);
        }
        try {
            return new NarInfoEntryCheck(hash, new NarInfo(StorePath.parseBaseName(hash + "-pkg-" + n),
                    "nar/" + hashPart("file" + n) + ".nar.xz", Compression.XZ, Hash.of(HashAlgorithm.SHA256, sha256("file" + n)),
                    100, Hash.of(HashAlgorithm.SHA256, sha256("nar" + n)), 1000, references, null, "x86_64-linux",
                    List.of("test-1:" + "A".repeat(86) + "=="), null));
        } catch (NixParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hashPart(String seed) {
        String nix32 = "0123456789abcdfghijklmnpqrsvwxyz";
        byte[] digest = sha256(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            s.append(nix32.charAt((digest[i] & 0xff) % 32));
        }
        return s.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code chattr +i}: not even root may write, rename or delete the file until {@code chattr -i}. */
    private static final class Immutable {
        private Immutable() {}

        /** Empty when the file system under {@code dir} supports the immutable attribute, else why not. */
        static Optional<String> unavailable(Path dir) throws IOException {
            Path probe = Files.createTempFile(dir, "probe", ".tmp");
            try {
                Processes.Completed set = chattr("+i", probe);
                if (set.exitCode() != 0) {
                    return Optional.of("chattr +i is not available on " + dir + ": " + set.output().strip());
                }
                chattr("-i", probe);
                return Optional.empty();
            } finally {
                Files.deleteIfExists(probe);
            }
        }

        static void set(List<Path> files, boolean immutable) {
            for (Path file : files) {
                chattr(immutable ? "+i" : "-i", file).requireSuccess("chattr on " + file);
            }
        }

        private static Processes.Completed chattr(String flag, Path file) {
            return Processes.run("chattr", List.of("chattr", flag, file.toString()), Map.of(), file.getParent(),
                    Duration.ofSeconds(10));
        }
    }
}
