package dev.ncps.index;

import dev.ncps.testing.MariaDbServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbEvictionPlanTest extends EvictionPlanTest {
    private MariaDbServer server;

    @BeforeAll
    void startServer() {
        server = MariaDbServer.start("index");
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Override
    IndexConfig freshDatabase() {
        return TestIndexConfigs.of(server.createDatabase());
    }
}
