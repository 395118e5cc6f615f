package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.SqlDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** migrate-db in every direction between SQLite, PostgreSQL and MariaDB, through the command line. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrateDbEnginesTest {
    @AutoClose
    private final PostgresServer postgres = PostgresServer.start();
    @AutoClose
    private final MariaDbServer mariadb = MariaDbServer.start("migrate-db");
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"sqlite, postgresql", "postgresql, sqlite", "sqlite, mysql", "mysql, sqlite", "postgresql, mysql", "mysql, postgresql"})
    void everyDirectionCopiesAndVerifies(String from, String to) throws Exception {
        String fromUrl = url(from, "from");
        String toUrl = url(to, "to");
        try (Index source = Index.open(config(from, fromUrl))) {
            MigrateDbTest.fill(source, dir.resolve("storage"), 20);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = new dev.ncps.cli.Cli(config -> 0, config -> 0, new dev.ncps.config.ConfigLoader(
                java.util.Map.of("HOME", dir.toString()), dir, () -> "host"), level -> { }, stream, stream)
                .run("migrate-db", "--from", fromUrl, "--to", toUrl, "--batch-size", "3");

        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("20 narinfos (0 already there)", "result: copied and verified");
        try (Index source = Index.open(config(from, fromUrl)); Index target = Index.open(config(to, toUrl))) {
            assertThat(target.stats()).isEqualTo(source.stats());
            assertThat(target.narInfos(null, 100)).isEqualTo(source.narInfos(null, 100));
        }
    }

    private String url(String engine, String name) {
        return switch (engine) {
            case "sqlite" -> "sqlite:" + dir.resolve(name + ".sqlite");
            case "postgresql" -> remember(postgres.createDatabase());
            case "mysql" -> remember(mariadb.createDatabase());
            default -> throw new IllegalArgumentException(engine);
        };
    }

    private final java.util.Map<String, SqlDatabase> databases = new java.util.HashMap<>();

    private String remember(SqlDatabase database) {
        databases.put(database.url(), database);
        return database.url();
    }

    private IndexConfig config(String engine, String url) {
        if (engine.equals("sqlite")) {
            return new IndexConfig(Dialect.SQLITE, "jdbc:" + url, null, null, 2, 1, true);
        }
        SqlDatabase db = databases.get(url);
        return new IndexConfig(engine.equals("mysql") ? Dialect.MYSQL : Dialect.POSTGRESQL, db.jdbcUrl(), db.user(), db.password(), 2, 1, true);
    }
}
