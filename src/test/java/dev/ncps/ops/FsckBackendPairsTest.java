package dev.ncps.ops;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.TestDirs;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * fsck on the database and storage pairs the other fsck tests leave out (SQLite+S3, PostgreSQL+local,
 * MariaDB+S3), so together they cover every combination serve accepts. The servers start once for all three.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FsckBackendPairsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private PostgresServer postgres;
    private MariaDbServer mariadb;
    private S3Server s3;
    private Path work;

    @BeforeAll
    void startServers() {
        postgres = PostgresServer.start();
        mariadb = MariaDbServer.start("fsck-pairs");
        s3 = S3Server.start("fsck-pairs-0");
        work = TestDirs.newWorkDir("fsck-pairs");
    }

    @AfterAll
    void stopServers() {
        s3.close();
        mariadb.close();
        postgres.close();
        TestDirs.deleteTree(work);
    }

    private Store bucket() throws java.io.IOException {
        return FsckScenarios.newBucket(s3, "fsck-pairs-" + NAMES.incrementAndGet());
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SqliteS3 extends FsckScenarios {
        private Path db;

        @Override
        Index openIndex() throws Exception {
            db = work.resolve("db-" + NAMES.incrementAndGet() + ".sqlite");
            return Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + db, null, null, 2, 1, true));
        }

        @Override
        Store openStore() throws Exception {
            return bucket();
        }

        @Override
        Connection sql() throws Exception {
            return DriverManager.getConnection("jdbc:sqlite:" + db);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class PostgresLocal extends FsckOnServer {
        @Override
        SqlDatabase newDatabase() {
            return postgres.createDatabase();
        }

        @Override
        Store openStore() throws Exception {
            return new LocalStore(work.resolve("storage-" + NAMES.incrementAndGet()));
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class MariaDbS3 extends FsckOnServer {
        @Override
        SqlDatabase newDatabase() {
            return mariadb.createDatabase();
        }

        @Override
        Store openStore() throws Exception {
            return bucket();
        }
    }
}
