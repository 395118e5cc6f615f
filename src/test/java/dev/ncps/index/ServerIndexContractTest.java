package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

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

    /**
     * A server that takes a read and never answers it (here: a table lock held by another session) must not hold
     * the hits queued behind it for ever: the statement gives up after its network timeout, its requests take the
     * ordinary path, and the next statement runs on a fresh connection.
     */
    @Test
    void aBatchedReadTheServerDoesNotAnswerGivesUpAfterItsTimeout() throws Exception {
        dev.ncps.nix.NarInfo info = putFirstFixture();
        String hash = info.storePath().hashPart();
        assertThat(HitReadAnswers.awaited(index, hash)).isPresent();

        long waited;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             java.sql.Statement s = c.createStatement()) {
            if (config.dialect() == Dialect.POSTGRESQL) {
                c.setAutoCommit(false);
                s.execute("LOCK TABLE narinfos IN ACCESS EXCLUSIVE MODE");
            } else {
                s.execute("LOCK TABLES narinfos WRITE");
            }
            long start = System.nanoTime();
            assertThat(HitReadAnswers.awaited(index, hash)).as("the read that waits for the lock").isEmpty();
            waited = (System.nanoTime() - start) / 1_000_000;
        }
        assertThat(waited).as("ms until the read gave up").isBetween(JdbcIndex.BATCHED_READ_TIMEOUT_MILLIS - 500L,
                JdbcIndex.BATCHED_READ_TIMEOUT_MILLIS + 5_000L);
        assertThat(HitReadAnswers.awaited(index, hash)).as("after the lock is gone").contains(info.serialize());
    }
}
