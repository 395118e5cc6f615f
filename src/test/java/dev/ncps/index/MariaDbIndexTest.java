package dev.ncps.index;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class MariaDbIndexTest extends IndexContractTest {
    private static MariaDbServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MariaDbServer();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @Override
    IndexConfig freshDatabase() throws Exception {
        return server.freshDatabase();
    }

    @Test
    void threeInstancesStartingAtOnceMigrateTheFreshDatabaseOnce() throws Exception {
        ConcurrentMigration.check(freshDatabase());
    }
}
