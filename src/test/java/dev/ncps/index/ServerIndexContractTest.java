package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link Index} contract on a database server: one server per test class (hence one test instance per
 * class), a fresh database per test.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerIndexContractTest<S extends AutoCloseable> extends IndexContractTest {
    private final Supplier<S> start;
    private final Function<S, SqlDatabase> createDatabase;
    private S server;

    ServerIndexContractTest(Supplier<S> start, Function<S, SqlDatabase> createDatabase) {
        this.start = start;
        this.createDatabase = createDatabase;
    }

    @BeforeAll
    void startServer() {
        server = start.get();
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) server.close();
    }

    @Override
    IndexConfig freshDatabase() {
        return TestIndexConfigs.of(createDatabase.apply(server));
    }

    @Test
    void threeInstancesStartingAtOnceMigrateTheFreshDatabaseOnce() throws Exception {
        ConcurrentMigration.check(freshDatabase());
    }
}
