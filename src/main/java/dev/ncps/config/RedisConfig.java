package dev.ncps.config;

import java.util.List;
import java.util.Optional;

/** A Redis deployment; several addresses mean several nodes. */
public record RedisConfig(List<HostPort> addrs, Optional<String> username, Optional<String> password, int db,
                          boolean useTls, int poolSize) {
    public RedisConfig {
        addrs = List.copyOf(addrs);
    }

    @Override
    public String toString() {
        return "RedisConfig[addrs=" + addrs + ", username=" + username.orElse("(none)") + ", password="
                + password.map(p -> "(hidden)").orElse("(none)") + ", db=" + db + ", useTls=" + useTls
                + ", poolSize=" + poolSize + "]";
    }
}
