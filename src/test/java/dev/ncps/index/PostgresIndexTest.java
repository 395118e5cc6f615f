package dev.ncps.index;

import dev.ncps.testing.PostgresServer;

class PostgresIndexTest extends ServerIndexContractTest<PostgresServer> {
    PostgresIndexTest() {
        super(PostgresServer::start, PostgresServer::createDatabase);
    }
}
