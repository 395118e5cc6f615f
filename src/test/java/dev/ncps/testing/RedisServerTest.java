package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

@Tag("slow")
class RedisServerTest {
    @Test
    void answersPingGoesDownAndComesBackEmptyOnTheSamePort() {
        try (RedisServer redis = RedisServer.start("kit")) {
            assertThat(redis.uri().toString()).isEqualTo("redis://127.0.0.1:" + redis.port());
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                jedis.set("lock", "token");
            }

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThatThrownBy(() -> {
                try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                    jedis.ping();
                }
            }).hasMessageContaining("Failed to connect");

            redis.start();
            try (Jedis jedis = new Jedis(redis.host(), redis.port())) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                assertThat(jedis.get("lock")).as("no persistence across restarts").isNull();
            }
        }
    }
}
