package dev.ncps.index;

import dev.ncps.testing.PostgresServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresEvictionPlanTest extends EvictionPlanTest {
    @AutoClose
    private final ServerDatabases<PostgresServer> databases = new ServerDatabases<>(PostgresServer::start, PostgresServer::createDatabase);

    @Override
    IndexConfig freshDatabase() {
        return databases.fresh();
    }
}
