package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import dev.ncps.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** migrate-storage from a local folder to S3 and back through the command line, re-run, and a conflicting object. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrateStorageTest {
    private S3Server s3;
    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        s3 = S3Server.start("migrate-storage");
    }

    @AfterAll
    void stop() {
        s3.close();
    }

    private record Run(int exit, String output) {}

    private Run cli(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("HOME", dir.toString(),
                "CACHE_STORAGE_S3_ENDPOINT", s3.endpoint().toString(), "CACHE_STORAGE_S3_REGION", s3.region(),
                "CACHE_STORAGE_S3_ACCESS_KEY_ID", s3.accessKey(), "CACHE_STORAGE_S3_SECRET_ACCESS_KEY", s3.secretKey(),
                "CACHE_STORAGE_S3_FORCE_PATH_STYLE", "true");
        int exit = new Cli(config -> 0, config -> 0, new ConfigLoader(env, dir, () -> "host"), level -> { }, stream, stream).run(args);
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void objectsGoToS3AndBackAndARerunCopiesNothing() throws Exception {
        Map<String, byte[]> objects = new TreeMap<>();
        try (LocalStore local = new LocalStore(dir.resolve("local"))) {
            for (int i = 0; i < 12; i++) {
                byte[] bytes = ("object " + i + " ").repeat(100 * (i + 1)).getBytes(StandardCharsets.UTF_8);
                String key = "store/nar/" + (char) ('a' + i % 3) + "/" + (char) ('a' + i % 3) + "x/obj" + i + ".nar.xz";
                local.put(key, new ByteArrayInputStream(bytes));
                objects.put(key, bytes);
            }
        }

        Run up = cli("migrate-storage", "--from", "local:" + dir.resolve("local"), "--to", "s3://migrate-storage");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("12 copied", "0 already present", "result: the target holds every object");
        Run again = cli("migrate-storage", "--from", "local:" + dir.resolve("local"), "--to", "s3://migrate-storage");
        assertThat(again.output()).contains("0 copied (0 B), 12 already present with the same size, 0 not copied");

        Run down = cli("migrate-storage", "--from", "s3://migrate-storage", "--to", "local:" + dir.resolve("back"), "--concurrency", "2");
        assertThat(down.exit()).as(down.output()).isZero();
        try (LocalStore back = new LocalStore(dir.resolve("back"))) {
            for (Map.Entry<String, byte[]> object : objects.entrySet()) {
                assertThat(read(back, object.getKey())).as(object.getKey()).isEqualTo(object.getValue());
            }
        }

        try (LocalStore other = new LocalStore(dir.resolve("other"))) {
            other.put(objects.keySet().iterator().next(), new ByteArrayInputStream(new byte[] {1, 2, 3}));
        }
        Run conflict = cli("migrate-storage", "--from", "local:" + dir.resolve("local"), "--to", "local:" + dir.resolve("other"));
        assertThat(conflict.exit()).isEqualTo(1);
        assertThat(conflict.output()).contains("not copied: " + objects.keySet().iterator().next()
                + ": the target already has it with 3 bytes", "11 copied", "1 not copied");

        assertThat(cli("migrate-storage", "--from", "local:" + dir.resolve("local"), "--to", "ftp://x").exit()).isEqualTo(2);
    }

    private static byte[] read(Store store, String key) throws Exception {
        try (InputStream in = store.get(key).orElseThrow().open(0)) {
            return in.readAllBytes();
        }
    }
}
