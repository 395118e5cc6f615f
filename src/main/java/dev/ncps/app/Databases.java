package dev.ncps.app;

import dev.ncps.config.DatabaseConfig;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Dialect;
import dev.ncps.index.IndexConfig;

/** Turns the configured database into the index's connection settings (0 pool sizes = dialect default). */
final class Databases {
    private Databases() {}

    static IndexConfig indexConfig(DatabaseConfig database) {
        DatabaseUrl url = database.url();
        Dialect dialect = switch (url.dialect()) {
            case SQLITE -> Dialect.SQLITE;
            case POSTGRESQL -> Dialect.POSTGRESQL;
            case MYSQL -> Dialect.MYSQL;
        };
        int maxOpen = database.maxOpenConns() > 0 ? database.maxOpenConns() : IndexConfig.DEFAULT_MAX_OPEN;
        int maxIdle = database.maxIdleConns() > 0 ? Math.min(database.maxIdleConns(), maxOpen) : Math.min(IndexConfig.DEFAULT_MAX_IDLE, maxOpen);
        return new IndexConfig(dialect, url.jdbcUrl(), url.user().orElse(null), url.password().orElse(null),
                maxOpen, maxIdle, true);
    }
}
