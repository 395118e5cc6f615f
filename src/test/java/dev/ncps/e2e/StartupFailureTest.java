package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.ncps.app.ServeCommand;
import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.SqlDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every startup failure of {@code ncps serve} an operator can fix is one log line naming the option, its value and
 * the fix, with exit code 1 and no stack trace unless the log level is debug.
 */
@Timeout(120) // a startup that wrongly succeeds serves until interrupted
class StartupFailureTest {
    private static final String CLI_LOGGER = "dev.ncps.cli.Cli";

    @TempDir
    Path dir;

    private record Outcome(int exitCode, List<String> lines, List<Boolean> withExceptions, String printed) {}

    /** Runs {@code ncps serve} in-process as {@code Main} does, configured through environment variables. */
    private Outcome serve(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(Map.of(
                "HOME", dir.toString(),
                "CACHE_STORAGE_LOCAL", dir.resolve("storage").toString(),
                "CACHE_TEMP_PATH", dir.resolve("tmp").toString(),
                "CACHE_UPSTREAM_URLS", "http://" + Processes.LOOPBACK + ":9",
                "CACHE_UPSTREAM_PUBLIC_KEYS", "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=",
                "SERVER_ADDR", Processes.LOOPBACK + ":0"));
        env.putAll(settings);
        env.values().removeIf(String::isEmpty); // "" unsets a default above
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(sink, true, StandardCharsets.UTF_8);
        Logger cliLogger = (Logger) LoggerFactory.getLogger(CLI_LOGGER);
        try (LogCapture log = new LogCapture(CLI_LOGGER)) {
            Cli cli = new Cli(new ServeCommand(), config -> 0, new ConfigLoader(env, dir, () -> "test.local"),
                    level -> cliLogger.setLevel(Level.toLevel(level.name())), print, print);
            int code = cli.run("serve");
            return new Outcome(code, log.messages(), log.withExceptions(), sink.toString(StandardCharsets.UTF_8));
        }
    }

    private void assertFailsWith(Map<String, String> settings, String line) {
        Outcome outcome = serve(settings);
        assertThat(outcome.lines()).as(outcome.printed()).containsExactly(line);
        assertThat(outcome.exitCode()).isEqualTo(Cli.FAILED);
        assertThat(outcome.withExceptions()).containsExactly(false);
    }

    @Test
    void aPortInUseNamesServerAddrAndIsOneLineWithoutStackTrace() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Processes.LOOPBACK))) {
            int port = taken.getLocalPort();
            String addr = Processes.LOOPBACK + ":" + port;
            assertFailsWith(Map.of("SERVER_ADDR", addr), "ncps cannot start: --server-addr " + addr + ": the port is"
                    + " already in use by another program (another ncps?); stop it or choose another address,"
                    + " e.g. --server-addr :" + (port + 1));
        }
    }

    @Test
    void atDebugLevelTheStackTraceIsThere() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(Processes.LOOPBACK))) {
            Outcome outcome = serve(Map.of("SERVER_ADDR", Processes.LOOPBACK + ":" + taken.getLocalPort(), "LOG_LEVEL", "debug"));
            assertThat(outcome.exitCode()).isEqualTo(Cli.FAILED);
            assertThat(outcome.lines()).singleElement().asString().startsWith("ncps cannot start: --server-addr ");
            assertThat(outcome.withExceptions()).containsExactly(true);
        }
    }

    @Test
    void aMissingSecretKeyFileNamesTheOption() {
        Path key = dir.resolve("missing.key");
        assertFailsWith(Map.of("CACHE_SECRET_KEY_PATH", key.toString()), "ncps cannot start: --cache-secret-key-path "
                + key + ": cannot read the key file (no such file or directory: " + key + "); point it at a file"
                + " readable by the user ncps runs as");
    }

    @Test
    void anInvalidSecretKeyFileSaysHowToMakeOne() throws IOException {
        Path key = Files.writeString(dir.resolve("bad.key"), "not a key\n");
        String reason = "";
        try {
            SecretKey.parse("not a key");
        } catch (NixParseException e) {
            reason = e.getMessage();
        }
        assertFailsWith(Map.of("CACHE_SECRET_KEY_PATH", key.toString()), "ncps cannot start: --cache-secret-key-path "
                + key + ": the file does not hold a Nix secret key (" + reason + "); create one with"
                + " 'ncps keygen <name>' or 'nix-store --generate-binary-cache-key <name> <secret-file> <public-file>'");
    }

    @Test
    void anUnwritableStorageFolderNamesCacheStorageLocal() throws IOException {
        Path storage = belowAFile("storage");
        assertFailsWith(Map.of("CACHE_STORAGE_LOCAL", storage.toString(),
                "CACHE_DATABASE_URL", "sqlite:" + dir.resolve("db.sqlite")), cannotWrite("--cache-storage-local", storage));
    }

    @Test
    void anUnwritableTempPathNamesCacheTempPath() throws IOException {
        Path temp = belowAFile("tmp");
        assertFailsWith(Map.of("CACHE_TEMP_PATH", temp.toString()), cannotWrite("--cache-temp-path", temp));
    }

    /** A folder no one can create: its parent is a regular file. */
    private Path belowAFile(String name) throws IOException {
        return Files.writeString(dir.resolve("a-file"), "").resolve(name);
    }

    private static String cannotWrite(String option, Path folder) {
        return "ncps cannot start: " + option + " " + folder + ": cannot write there (not a directory on " + folder
                + "); give the user ncps runs as write access to it (chown/chmod) or choose another directory";
    }

    @Test
    void aDatabaseOfTheGoNcpsIsOneLineSayingToImportIt() throws Exception {
        Path goDb = dir.resolve("go.sqlite");
        try (java.sql.Connection go = java.sql.DriverManager.getConnection("jdbc:sqlite:" + goDb);
             java.sql.Statement s = go.createStatement()) {
            s.execute("CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, version_id INTEGER, is_applied INTEGER)");
        }
        assertFailsWith(Map.of("CACHE_DATABASE_URL", "sqlite:" + goDb), "ncps cannot start: --cache-database-url sqlite:"
                + goDb + ": this database was created by the Go ncps (it has goose's schema_migrations table); ncps-java"
                + " does not change it. Take the deployment over with 'ncps import-go' into a new database"
                + " (see docs/operations/import-go.md)");
    }

    @Test
    void anUnreachableDatabaseShowsTheUrlWithoutItsPassword() {
        int port = Processes.freePort();
        assertFailsWith(Map.of("CACHE_DATABASE_URL", "postgresql://ncps:hunter2@" + Processes.LOOPBACK + ":" + port + "/cache"),
                "ncps cannot start: --cache-database-url postgresql://ncps:***@" + Processes.LOOPBACK + ":" + port
                        + "/cache: the database server cannot be reached (Connection refused); start it or fix the host"
                        + " and port in the URL");
    }

    @Test
    @Tag("slow")
    void anUnreachableRedisNamesCacheRedisAddrs() {
        String addr = Processes.LOOPBACK + ":" + Processes.freePort();
        try (PostgresServer postgres = PostgresServer.start(); S3Server s3 = S3Server.start("ncps")) {
            Outcome outcome = serve(Map.of("CACHE_REDIS_ADDRS", addr, "CACHE_DATABASE_URL", postgres.createDatabase().url(),
                    "CACHE_STORAGE_LOCAL", "", "CACHE_STORAGE_S3_BUCKET", s3.bucket(),
                    "CACHE_STORAGE_S3_ENDPOINT", s3.endpoint().toString(), "CACHE_STORAGE_S3_REGION", s3.region(),
                    "CACHE_STORAGE_S3_ACCESS_KEY_ID", s3.accessKey(), "CACHE_STORAGE_S3_SECRET_ACCESS_KEY", s3.secretKey(),
                    "CACHE_STORAGE_S3_FORCE_PATH_STYLE", "true"));
            assertThat(outcome.exitCode()).as(outcome.printed()).isEqualTo(Cli.FAILED);
            assertThat(outcome.withExceptions()).containsExactly(false);
            assertThat(outcome.lines()).singleElement().asString()
                    .startsWith("ncps cannot start: --cache-redis-addrs " + addr + ": redis lock backend at ")
                    .endsWith("(set cache.lock.allow-degraded-mode: true to start with in-process locks); start Redis or"
                            + " fix the address")
                    .doesNotContain("\n");
        }
    }

    @Test
    @Tag("slow")
    void aPostgresUserWithoutTheGrantIsToldWhichGrantToAskFor() {
        try (PostgresServer postgres = PostgresServer.start()) {
            SqlDatabase db = postgres.createDatabaseWithoutGrants();
            assertFailsWith(Map.of("CACHE_DATABASE_URL", db.url()), "ncps cannot start: --cache-database-url postgresql://"
                    + db.user() + ":***@" + db.host() + ":" + db.port() + "/" + db.name() + ": user '" + db.user()
                    + "' lacks a privilege ncps needs to create and use its tables (permission denied for schema public);"
                    + " as an administrator run: ALTER DATABASE " + db.name() + " OWNER TO " + db.user()
                    + " (or GRANT USAGE, CREATE ON SCHEMA public TO " + db.user() + ")");
        }
    }

    @Test
    @Tag("slow")
    void aMariaDbUserWithoutTheGrantIsToldWhichGrantToAskFor() {
        try (MariaDbServer mariadb = MariaDbServer.start("startup-failure")) {
            SqlDatabase db = mariadb.createDatabase();
            mariadb.execAsRoot("REVOKE ALL PRIVILEGES ON " + db.name() + ".* FROM '" + db.user() + "'@'%';");
            assertFailsWith(Map.of("CACHE_DATABASE_URL", db.url()), "ncps cannot start: --cache-database-url mysql://"
                    + db.user() + ":***@" + db.host() + ":" + db.port() + "/" + db.name() + ": user '" + db.user()
                    + "' lacks a privilege ncps needs to create and use its tables (Access denied for user '" + db.user()
                    + "'@'%' to database '" + db.name() + "'); as an administrator run: GRANT ALL PRIVILEGES ON "
                    + db.name() + ".* TO '" + db.user() + "'@'%'");
        }
    }

    @Test
    @Tag("slow")
    void aMissingS3BucketNamesTheBucketOption() {
        try (S3Server s3 = S3Server.start("present")) {
            assertFailsWith(Map.of("CACHE_STORAGE_LOCAL", "", "CACHE_DATABASE_URL", "sqlite:" + dir.resolve("db.sqlite"),
                            "CACHE_STORAGE_S3_BUCKET", "absent", "CACHE_STORAGE_S3_ENDPOINT", s3.endpoint().toString(),
                            "CACHE_STORAGE_S3_REGION", s3.region(), "CACHE_STORAGE_S3_ACCESS_KEY_ID", s3.accessKey(),
                            "CACHE_STORAGE_S3_SECRET_ACCESS_KEY", s3.secretKey(), "CACHE_STORAGE_S3_FORCE_PATH_STYLE", "true"),
                    "ncps cannot start: --cache-storage-s3-bucket absent: S3 bucket 'absent' at " + s3.endpoint()
                            + " does not exist; check --cache-storage-s3-endpoint, the bucket name, --cache-storage-s3-region"
                            + " and the credentials");
        }
    }
}
