package dev.ncps.ops;

import dev.ncps.store.Store;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.SqlDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FsckPostgresS3Test extends FsckOnServer {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private PostgresServer postgres;
    private S3Server s3;

    @BeforeAll
    void startServers() {
        postgres = PostgresServer.start();
        s3 = S3Server.start("fsck-0");
    }

    @AfterAll
    void stopServers() {
        s3.close();
        postgres.close();
    }

    @Override
    SqlDatabase newDatabase() {
        return postgres.createDatabase();
    }

    @Override
    Store openStore() throws Exception {
        return newBucket(s3, "fsck-" + BUCKETS.incrementAndGet());
    }
}
