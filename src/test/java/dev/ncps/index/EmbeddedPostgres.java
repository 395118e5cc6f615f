package dev.ncps.index;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL server (zonky) handing out empty databases. */
final class EmbeddedPostgres implements AutoCloseable {
    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();

    EmbeddedPostgres() throws Exception {
        server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
    }

    IndexConfig freshDatabase() throws Exception {
        String name = "ncps_" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new IndexConfig(Dialect.POSTGRESQL, "jdbc:postgresql://localhost:" + server.getPort() + "/" + name,
                "postgres", "postgres", IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
