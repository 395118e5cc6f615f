package dev.ncps.app;

import com.zaxxer.hikari.HikariDataSource;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Dialect;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockBackendSettings;
import dev.ncps.lock.LockBackends;
import dev.ncps.lock.LockException;
import dev.ncps.lock.LockListener;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.Locks;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.Stalls;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The postgres lock backend's own pool against a server that stops answering (its processes stopped, as a host
 * that froze or dropped off the network would be): a lock call fails after the network timeout. Its statements'
 * query timeouts cannot help there, since a cancel needs the server to act on it.
 */
@Tag("slow")
class LockPoolTest {
    @Test
    void aLockCallToAServerThatStoppedAnsweringFailsAfterTheNetworkTimeout() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        try (PostgresServer postgres = PostgresServer.start()) {
            SqlDatabase database = postgres.createDatabase();
            DatabaseUrl url = new DatabaseUrl(Dialect.POSTGRESQL, database.jdbcUrl(), Optional.of(database.user()),
                    Optional.of(database.password()), Optional.empty());
            try (HikariDataSource pool = Backends.lockPool(url, timeout);
                 Locks locks = LockBackends.open(new LockBackendSettings(LockBackend.POSTGRES, Optional.empty(),
                         LockSettings.DEFAULTS), pool, LockListener.NONE)) {
                assertThat(locks.tryAcquire("before", Duration.ofMinutes(1), "me")).isPresent();
                List<Long> backends = backendsOf(database);
                assertThat(backends).isNotEmpty();
                Processes.pause(true, backends);
                try {
                    long start = System.nanoTime();
                    assertThat(Stalls.failureWithin(timeout.plusSeconds(10),
                            () -> locks.tryAcquire("during", Duration.ofMinutes(1), "me")))
                            .as("the lock call to the stopped server").isInstanceOfSatisfying(LockException.class,
                                    e -> assertThat(e.reason()).isEqualTo(LockException.Reason.TIMEOUT));
                    assertThat((System.nanoTime() - start) / 1_000_000).as("ms until it gave up")
                            .isGreaterThanOrEqualTo(timeout.toMillis() - 500);
                } finally {
                    Processes.pause(false, backends);
                }
                assertThat(locks.tryAcquire("after", Duration.ofMinutes(1), "me")).as("with the server back").isPresent();
            }
        }
    }

    /** The server processes of every connection to the database but this query's own. */
    private static List<Long> backendsOf(SqlDatabase database) throws Exception {
        List<Long> pids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT pid FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            while (rows.next()) pids.add(rows.getLong(1));
        }
        return pids;
    }
}
