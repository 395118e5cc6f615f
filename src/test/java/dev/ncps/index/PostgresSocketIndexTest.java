package dev.ncps.index;

import dev.ncps.testing.PostgresServer;

/** The index contract with ncps reaching a PostgreSQL that listens on its Unix socket only (postgres+unix URLs). */
class PostgresSocketIndexTest extends ServerIndexContractTest<PostgresServer> {
    PostgresSocketIndexTest() {
        super(PostgresServer::startSocketOnly, PostgresServer::createDatabase);
    }
}
