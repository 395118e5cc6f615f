package dev.ncps.lock;

import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteDataSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockBackendsTest {
    private final LockListener metrics = LockListener.NONE;

    private static LockBackendSettings settings(LockBackend backend, RedisSettings redis) {
        return new LockBackendSettings(backend, Optional.ofNullable(redis), LockSettings.DEFAULTS);
    }

    /** The configuration decides the backend (ConfigLoader: an explicit local is kept); opening never overrides it. */
    @Test
    void anExplicitLocalBackendStaysLocalWhenRedisAddressesAreSet() throws Exception {
        try (Locks locks = LockBackends.open(settings(LockBackend.LOCAL, RedisSettings.of("127.0.0.1:1")), null, metrics)) {
            assertThat(locks).isInstanceOf(LocalLocks.class);
        }
    }

    @Test
    void redisWithoutAddressesIsRefused() {
        RedisSettings noAddresses = new RedisSettings(List.of(), null, null, 0, false, 10);
        assertThatThrownBy(() -> LockBackends.open(settings(LockBackend.REDIS, noAddresses), null, metrics))
                .hasMessageContaining("cache.redis.addrs");
    }

    @Test
    void localBackendOpensInProcessLocks() throws Exception {
        try (Locks locks = LockBackends.open(settings(LockBackend.LOCAL, null), null, metrics)) {
            assertThat(locks).isInstanceOf(LocalLocks.class);
        }
    }

    @Test
    void postgresBackendNeedsAPostgresDatabase() {
        assertThatThrownBy(() -> LockBackends.open(settings(LockBackend.POSTGRES, null), null, metrics))
                .hasMessageContaining("cache.database-url");
        SQLiteDataSource sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite::memory:");
        assertThatThrownBy(() -> LockBackends.open(settings(LockBackend.POSTGRES, null), sqlite, metrics))
                .hasMessageContaining("PostgreSQL").hasMessageContaining("SQLite");
    }
}
