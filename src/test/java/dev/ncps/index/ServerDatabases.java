package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One database server for a test class, started at the first database asked for, and a fresh database on it for
 * each test. A test class holds it in an {@code @AutoClose} field with one test instance per class.
 */
final class ServerDatabases<S extends AutoCloseable> implements AutoCloseable {
    private final Supplier<S> start;
    private final Function<S, SqlDatabase> createDatabase;
    private S server;

    ServerDatabases(Supplier<S> start, Function<S, SqlDatabase> createDatabase) {
        this.start = start;
        this.createDatabase = createDatabase;
    }

    IndexConfig fresh() {
        if (server == null) server = start.get();
        return TestIndexConfigs.of(createDatabase.apply(server));
    }

    @Override
    public void close() throws Exception {
        if (server != null) server.close();
    }
}
