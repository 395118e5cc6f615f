package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;

import java.nio.file.Path;

/** Index configurations for tests, with what the application uses by default: the Go pool sizes, migrating on open. */
public final class TestIndexConfigs {
    private TestIndexConfigs() {}

    public static IndexConfig sqlite(Path file) {
        return new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }

    /** A database on one of the test servers (testing.PostgresServer, testing.MariaDbServer). */
    public static IndexConfig of(SqlDatabase database) {
        return new IndexConfig(database.dialect(), database.jdbcUrl(), database.user(), database.password(),
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }
}
