package dev.ncps.ops;

import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.testing.SqlDatabase;
import java.sql.Connection;
import java.sql.DriverManager;

/** The fsck scenarios with the index on a new database of a PostgreSQL or MariaDB server, which {@code sql()} reaches. */
abstract class FsckOnServer extends FsckScenarios {
    private SqlDatabase database;

    abstract SqlDatabase newDatabase();

    @Override
    Index openIndex() throws Exception {
        database = newDatabase();
        return Index.open(new IndexConfig(database.dialect(), database.jdbcUrl(), database.user(), database.password(), 4, 1, true));
    }

    @Override
    Connection sql() throws Exception {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
