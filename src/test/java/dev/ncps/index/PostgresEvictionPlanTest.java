package dev.ncps.index;

import dev.ncps.testing.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresEvictionPlanTest extends EvictionPlanTest {
    private PostgresServer server;

    @BeforeAll
    void startServer() {
        server = PostgresServer.start();
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
