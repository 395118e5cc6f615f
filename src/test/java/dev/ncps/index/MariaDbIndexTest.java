package dev.ncps.index;

import dev.ncps.testing.MariaDbServer;

class MariaDbIndexTest extends ServerIndexContractTest<MariaDbServer> {
    MariaDbIndexTest() {
        super(() -> MariaDbServer.start("index"), MariaDbServer::createDatabase);
    }
}
