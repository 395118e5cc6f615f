package dev.ncps.ops;

import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.TestDirs;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/** fsck on MariaDB, reached over its Unix socket (the server has no networking), with local storage. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FsckMariaDbLocalTest extends FsckOnServer {
    private static final AtomicInteger STORES = new AtomicInteger();
    private MariaDbServer mariadb;
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
    SqlDatabase newDatabase() {
        return mariadb.createDatabase();
    }

    @Override
    Store openStore() throws Exception {
        return new LocalStore(storageRoot.resolve("storage-" + STORES.incrementAndGet()));
    }
}
