package dev.ncps.index;

import dev.ncps.testing.MariaDbServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbEvictionPlanTest extends EvictionPlanTest {
    @AutoClose
    private final ServerDatabases<MariaDbServer> databases = new ServerDatabases<>(() -> MariaDbServer.start("index"), MariaDbServer::createDatabase);

    @Override
    IndexConfig freshDatabase() {
        return databases.fresh();
    }
}
