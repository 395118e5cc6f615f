package dev.ncps.index;

import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.Stalls;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
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
        try (TableLock ignored = lockNarInfos()) {
            long start = System.nanoTime();
            assertThat(HitReadAnswers.awaited(index, hash)).as("the read that waits for the lock").isEmpty();
            waited = (System.nanoTime() - start) / 1_000_000;
        }
        assertThat(waited).as("ms until the read gave up").isBetween(JdbcIndex.BATCHED_READ_TIMEOUT_MILLIS - 500L,
                JdbcIndex.BATCHED_READ_TIMEOUT_MILLIS + 5_000L);
        assertThat(HitReadAnswers.awaited(index, hash)).as("after the lock is gone").contains(info.serialize());
    }

    /**
     * The same for every other statement: one the server takes and never answers fails after the index's network
     * timeout instead of holding its request thread until the operating system gives up on the connection (many
     * minutes, or never while nothing is sent), and the pool replaces the connection.
     */
    @Test
    void anOrdinaryStatementTheServerDoesNotAnswerFailsAfterTheNetworkTimeout() throws Exception {
        dev.ncps.nix.NarInfo info = putFirstFixture();
        String hash = info.storePath().hashPart();
        Duration timeout = Duration.ofSeconds(2);
        try (Index impatient = Index.open(config.withNetworkTimeout(timeout), Clock.systemUTC())) {
            assertThat(impatient.narInfoText(hash)).contains(info.serialize());
            try (TableLock ignored = lockNarInfos()) {
                long start = System.nanoTime();
                assertThat(Stalls.failureWithin(timeout.plusSeconds(8), () -> impatient.narInfoText(hash)))
                        .as("the read that waits for the lock").isInstanceOf(IndexException.class);
                assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the read gave up")
                        .isGreaterThanOrEqualTo(timeout.toMillis() - 500);
            }
            assertThat(impatient.narInfoText(hash)).as("after the lock is gone").contains(info.serialize());
        }
    }

    /** Another session's lock on the narinfos table, which makes every statement on it wait until closed. */
    private interface TableLock extends AutoCloseable {
        @Override
        void close() throws SQLException;
    }

    private TableLock lockNarInfos() throws SQLException {
        Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
        try (Statement s = c.createStatement()) {
            if (config.dialect() == Dialect.POSTGRESQL) {
                c.setAutoCommit(false);
                s.execute("LOCK TABLE narinfos IN ACCESS EXCLUSIVE MODE");
            } else {
                s.execute("LOCK TABLES narinfos WRITE");
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c::close;
    }
}
