package dev.ncps.ops;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.TestDirs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/** fsck on MariaDB, reached over its Unix socket (the server has no networking), with local storage. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FsckMariaDbLocalTest extends FsckScenarios {
    private static final AtomicInteger STORES = new AtomicInteger();
    private MariaDbServer mariadb;
    private SqlDatabase database;
    private Path storageRoot;

    @BeforeAll
    void startServer() {
        mariadb = MariaDbServer.startSocketOnly("fsck");
        storageRoot = TestDirs.newWorkDir("fsck-mariadb");
    }

    @AfterAll
    void stopServer() {
        mariadb.close();
        TestDirs.deleteTree(storageRoot);
    }

    @Override
    Index openIndex() throws Exception {
        database = mariadb.createDatabase();
        return Index.open(new IndexConfig(Dialect.MYSQL, database.jdbcUrl(), database.user(), database.password(), 4, 1, true));
    }

    @Override
    Store openStore() throws Exception {
        return new LocalStore(storageRoot.resolve("storage-" + STORES.incrementAndGet()));
    }

    @Override
    Connection sql() throws Exception {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
    }
}
