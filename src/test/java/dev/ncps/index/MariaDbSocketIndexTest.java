package dev.ncps.index;

import dev.ncps.testing.MariaDbServer;

/** The index contract with ncps reaching a MariaDB without networking, on its Unix socket (mysql+unix URLs). */
class MariaDbSocketIndexTest extends ServerIndexContractTest<MariaDbServer> {
    MariaDbSocketIndexTest() {
        super(() -> MariaDbServer.startSocketOnly("socket-index"), MariaDbServer::createDatabase);
    }
}
