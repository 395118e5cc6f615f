package dev.ncps.lock;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.SqlDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("slow")
class PostgresLocksTest extends LocksContract {
    private static PostgresServer postgres;
    private static HikariDataSource dataSource;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresServer.start();
        SqlDatabase database = postgres.createDatabase();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.user());
        config.setPassword(database.password());
        config.setMaximumPoolSize(10);
        dataSource = new HikariDataSource(config);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        dataSource.close();
        postgres.close();
    }

    @Override
    Locks open(LockSettings settings, LockListener metrics) throws LockException {
        return new PostgresLocks(dataSource, settings, metrics);
    }

    @Test
    void leasesAreRowsUnderThePrefixedKey() throws Exception {
        try (Locks.Lease lease = locks.tryAcquire(key, LONG, "http://10.0.0.7:8501").orElseThrow();
             Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT holder, expires_at > now() + interval '20 seconds'"
                     + " FROM ncps_locks WHERE lock_key = 'ncps:lock:" + key + "'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("http://10.0.0.7:8501");
            assertThat(rows.getBoolean(2)).isTrue();
        }
    }

    @Test
    void instancesStartingTogetherShareOneTable() throws Exception {
        var results = race(4, i -> {
            new PostgresLocks(dataSource, LockSettings.DEFAULTS, LockListener.NONE).close();
            return java.util.Optional.empty();
        });
        assertThat(results).hasSize(4);
    }

    @Test
    void aDatabaseOtherThanPostgresIsRefused() {
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite::memory:");
        assertThatThrownBy(() -> new PostgresLocks(sqlite, LockSettings.DEFAULTS,
                LockListener.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SQLite");
    }

    @Test
    void modeIsPostgres() {
        assertThat(locks.mode()).isEqualTo("postgres");
    }
}
