package dev.ncps.lock;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {

    @Test
    void addressesParseHostAndPortIncludingIpv6() {
        assertThat(RedisSettings.parse("redis:6379")).isEqualTo(new HostAndPort("redis", 6379));
        assertThat(RedisSettings.parse("[::1]:6380")).isEqualTo(new HostAndPort("::1", 6380));
    }

    @Test
    void malformedAddressesAreRejectedWithTheKey() {
        for (String bad : List.of("redis", "redis:", ":6379", "redis:0", "redis:65536", "redis:port", "::1:6379", "[::1:6379")) {
            assertThatThrownBy(() -> RedisSettings.of(bad)).as(bad)
                    .hasMessageContaining("cache.redis.addrs").hasMessageContaining(bad);
        }
    }

    @Test
    void useTlsReallyConfiguresTls() {
        RedisSettings tls = new RedisSettings(List.of("redis:6379"), "ncps", "secret", 2, true, 10);
        JedisClientConfig config = RedisLocks.clientConfig(tls);
        assertThat(config.isSsl()).isTrue();
        assertThat(config.getUser()).isEqualTo("ncps");
        assertThat(config.getPassword()).isEqualTo("secret");
        assertThat(config.getDatabase()).isEqualTo(2);
        assertThat(RedisLocks.clientConfig(RedisSettings.of("redis:6379")).isSsl()).isFalse();
    }

    @Test
    void poolSizeBoundsThePoolAndBorrowingNeverWaitsForever() {
        var pool = RedisLocks.poolConfig(new RedisSettings(List.of("redis:6379"), null, null, 0, false, 3));
        assertThat(pool.getMaxTotal()).isEqualTo(3);
        assertThat(pool.getMaxWaitDuration()).isPositive();
        assertThat(pool.getTestOnBorrow()).isTrue();
    }

    @Test
    void severalAddressesAreOneClusterWhichHasOnlyDatabaseZero() {
        assertThat(new RedisSettings(List.of("a:1", "b:2"), null, null, 0, false, 10).cluster()).isTrue();
        assertThatThrownBy(() -> new RedisSettings(List.of("a:1", "b:2"), null, null, 1, false, 10))
                .hasMessageContaining("cache.redis.db").hasMessageContaining("Cluster");
    }

    @Test
    void invalidNumbersNameTheirKey() {
        assertThatThrownBy(() -> new RedisSettings(List.of("a:1"), null, null, -1, false, 10))
                .hasMessageContaining("cache.redis.db");
        assertThatThrownBy(() -> new RedisSettings(List.of("a:1"), null, null, 0, false, 0))
                .hasMessageContaining("cache.redis.pool-size");
    }
}
