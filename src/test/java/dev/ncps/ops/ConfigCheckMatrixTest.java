package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ncps config check} against every database × storage × lock backend combination serve accepts
 * (SQLite, PostgreSQL, MariaDB; local, S3; local, Redis), each once with every backend running and once with
 * one of them unreachable: the exit code and the exact one-line verdict for that backend.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigCheckMatrixTest {
    private static final String KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    /** What a fresh database has pending: every migration ncps ships (the same number for each dialect). */
    private static final long MIGRATIONS = migrationCount();

    enum Db { SQLITE, POSTGRESQL, MARIADB }

    enum Storage { LOCAL, S3 }

    enum Lock { LOCAL, REDIS }

    private PostgresServer postgres;
    private MariaDbServer mariadb;
    private S3Server s3;
    private RedisServer redis;
    private UpstreamServer upstream;
    private Path work;

    @BeforeAll
    void start() throws IOException {
        work = TestDirs.newWorkDir("config-check-matrix");
        Path cacheDir = Files.createDirectories(work.resolve("upstream"));
        Files.writeString(cacheDir.resolve("nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        upstream = new UpstreamServer(cacheDir);
        postgres = PostgresServer.start();
        mariadb = MariaDbServer.start("config-check");
        s3 = S3Server.start("config-check");
        redis = RedisServer.start("config-check");
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable server : new AutoCloseable[] {upstream, postgres, mariadb, s3, redis}) {
            if (server != null) server.close();
        }
        TestDirs.deleteTree(work);
    }

    /** The backend a case takes down (NONE: everything runs). */
    enum Down { NONE, DATABASE, STORAGE, LOCKS }

    /**
     * What serve accepts (Redis locks need a shared database and shared storage), each with every backend up
     * and then with each of its backends down in turn.
     */
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Db db : Db.values()) {
            for (Storage storage : Storage.values()) {
                for (Lock lock : Lock.values()) {
                    if (lock == Lock.REDIS && (storage == Storage.LOCAL || db == Db.SQLITE)) continue;
                    for (Down down : Down.values()) {
                        if (down != Down.LOCKS || lock == Lock.REDIS) all.add(Arguments.of(db, storage, lock, down));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} + {1} storage + {2} locks, down: {3}")
    @MethodSource("cases")
    void eachBackendIsReportedOnOneLine(Db db, Storage storage, Lock lock, Down down) throws Exception {
        Path dir = Files.createTempDirectory(work, db + "-" + storage + "-" + lock + "-" + down + "-");
        Path notADirectory = Files.writeString(dir.resolve("not-a-directory"), "x");
        String dead = Processes.LOOPBACK + ":" + Processes.freePort();
        Map<String, String> env = new HashMap<>(Map.of("HOME", work.toString(),
                "CACHE_UPSTREAM_URLS", upstream.url().toString(),
                "CACHE_UPSTREAM_PUBLIC_KEYS", upstream.url().getHost() + "-1:" + KEY.substring(KEY.indexOf(':') + 1)));

        String databaseUrl = switch (db) {
            case SQLITE -> "sqlite:" + (down == Down.DATABASE ? notADirectory : dir).resolve("db.sqlite");
            case POSTGRESQL -> down == Down.DATABASE ? "postgresql://ncps:pw@" + dead + "/ncps" : postgres.createDatabase().url();
            case MARIADB -> down == Down.DATABASE ? "mysql://ncps:pw@" + dead + "/ncps" : mariadb.createDatabase().url();
        };
        env.put("CACHE_DATABASE_URL", databaseUrl);
        String database = "database " + DatabaseUrl.parseFlag("--cache-database-url", databaseUrl);
        String storageLine;
        if (storage == Storage.LOCAL) {
            Path root = (down == Down.STORAGE ? notADirectory : dir).resolve("storage");
            env.put("CACHE_STORAGE_LOCAL", root.toString());
            storageLine = "storage Local[root=" + root + "]";
        } else {
            String endpoint = down == Down.STORAGE ? "http://" + dead : s3.endpoint().toString();
            env.putAll(Map.of("CACHE_STORAGE_S3_BUCKET", s3.bucket(), "CACHE_STORAGE_S3_ENDPOINT", endpoint,
                    "CACHE_STORAGE_S3_REGION", s3.region(), "CACHE_STORAGE_S3_ACCESS_KEY_ID", s3.accessKey(),
                    "CACHE_STORAGE_S3_SECRET_ACCESS_KEY", s3.secretKey(), "CACHE_STORAGE_S3_FORCE_PATH_STYLE", "true"));
            storageLine = "storage S3[bucket=" + s3.bucket() + ", endpoint=" + endpoint + ", region=" + s3.region()
                    + ", accessKeyId=" + s3.accessKey() + ", secretAccessKey=(hidden), forcePathStyle=true, checksumMode=WHEN_SUPPORTED]";
        }
        String locks = "locks " + lock.name().toLowerCase(Locale.ROOT);
        if (lock == Lock.REDIS) {
            env.put("CACHE_REDIS_ADDRS", down == Down.LOCKS ? dead : Processes.LOOPBACK + ":" + redis.port());
        }

        Run run = check(env);

        List<String> expected = new ArrayList<>(List.of(
                down == Down.DATABASE ? "  FAILED  " + database + ": " + databaseDown(db, dir, dead)
                        : "  ok      " + database + ": reachable; 0 migrations applied, " + MIGRATIONS + " pending (serve applies them)",
                down == Down.STORAGE ? "  FAILED  " + storageLine + ": " + storageDown(storage, dir, dead)
                        : "  ok      " + storageLine + ": reachable",
                down == Down.LOCKS ? "  FAILED  " + locks + ": redis lock backend at " + dead + " is unreachable: redis at " + dead
                        + " failed to ping for lock -: Failed to connect to " + dead + ". (set cache.lock.allow-degraded-mode: true "
                        + "to start with in-process locks)"
                        : "  ok      " + locks + ": reachable (" + lock.name().toLowerCase(Locale.ROOT) + ")",
                "  ok      upstream " + upstream.url() + ": nix-cache-info 200"));
        String failed = switch (down) {
            case NONE -> null;
            case DATABASE -> database;
            case STORAGE -> storageLine;
            case LOCKS -> locks;
        };
        expected.add(failed == null ? "result: valid, everything reachable" : "result: valid, but 1 unreachable: " + failed);
        List<String> reachability = run.lines().subList(run.lines().indexOf("reachability:") + 1, run.lines().size());
        assertThat(reachability).as(run.output()).isEqualTo(expected);
        assertThat(run.exit()).isEqualTo(down == Down.NONE ? 0 : 1);
    }

    private static String databaseDown(Db db, Path dir, String dead) {
        return switch (db) {
            case SQLITE -> "cannot create the directory " + dir.resolve("not-a-directory") + " for the SQLite database: "
                    + "java.nio.file.FileAlreadyExistsException: " + dir.resolve("not-a-directory");
            case POSTGRESQL -> "cannot connect to the POSTGRESQL index at jdbc:postgresql://" + dead + "/ncps: Connection to " + dead
                    + " refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.";
            case MARIADB -> "cannot connect to the MYSQL index at jdbc:mariadb://" + dead + "/ncps: Socket fail to connect to "
                    + dead + ". Connection refused";
        };
    }

    private String storageDown(Storage storage, Path dir, String dead) {
        return switch (storage) {
            case LOCAL -> "cannot create the local storage folders under " + dir.resolve("not-a-directory/storage")
                    + ": java.nio.file.FileSystemException: " + dir.resolve("not-a-directory/storage") + ": Not a directory";
            case S3 -> "cannot reach S3 endpoint http://" + dead + " for bucket '" + s3.bucket() + "': Unable to execute HTTP request: "
                    + "Connect to http://" + dead + " failed: Connection refused (SDK Attempt Count: 4)";
        };
    }

    record Run(int exit, String output) {
        List<String> lines() {
            return output.lines().toList();
        }
    }

    private Run check(Map<String, String> env) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = new Cli(config -> 0, config -> 0, new ConfigLoader(env, work, () -> "host"), level -> { }, stream, stream)
                .run("config", "check");
        return new Run(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private static long migrationCount() {
        try (var files = Files.list(Path.of("src/main/resources/db/migration/sqlite"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".sql")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
