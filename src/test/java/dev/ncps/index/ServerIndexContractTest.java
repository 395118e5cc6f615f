package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;
import org.junit.jupiter.api.AutoClose;
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
    @AutoClose
    private final ServerDatabases<S> databases;

    ServerIndexContractTest(Supplier<S> start, Function<S, SqlDatabase> createDatabase) {
        this.databases = new ServerDatabases<>(start, createDatabase);
    }

    @Override
    IndexConfig freshDatabase() {
        return databases.fresh();
    }

    @Test
    void threeInstancesStartingAtOnceMigrateTheFreshDatabaseOnce() throws Exception {
        ConcurrentMigration.check(freshDatabase());
    }
}
