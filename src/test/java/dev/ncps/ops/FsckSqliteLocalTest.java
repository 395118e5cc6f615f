package dev.ncps.ops;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.io.TempDir;

class FsckSqliteLocalTest extends FsckScenarios {
    @TempDir
    Path dir;

    @Override
    Index openIndex() throws Exception {
        return Index.open(new IndexConfig(Dialect.SQLITE, jdbcUrl(), null, null, 2, 1, true));
    }

    @Override
    Store openStore() throws Exception {
        return new LocalStore(dir.resolve("storage"));
    }

    @Override
    Connection sql() throws Exception {
        return DriverManager.getConnection(jdbcUrl());
    }

    private String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("db.sqlite");
    }
}
