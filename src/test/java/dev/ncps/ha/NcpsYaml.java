package dev.ncps.ha;

import dev.ncps.testing.S3Server;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The YAML configuration file of one ncps instance, written the way the HA docs tell users to. */
record NcpsYaml(int port, URI upstream, String upstreamKey, Storage storage, String databaseUrl, Locks locks,
                List<String> extraCacheLines) {

    sealed interface Storage {}

    record Local(Path dir) implements Storage {}

    record S3(S3Server server, String bucket) implements Storage {}

    sealed interface Locks {}

    record LocalLocks() implements Locks {}

    record RedisLocks(String addr, String keyPrefix, boolean allowDegraded) implements Locks {}

    record PostgresLocks() implements Locks {}

    NcpsYaml withPort(int other) {
        return new NcpsYaml(other, upstream, upstreamKey, storage, databaseUrl, locks, extraCacheLines);
    }

    String text() {
        List<String> cache = new ArrayList<>(List.of(
                "  hostname: cache.example.com",
                "  upstream:",
                "    urls:",
                "      - " + upstream,
                "    public-keys:",
                "      - " + upstreamKey));
        if (databaseUrl != null) {
            cache.add("  database-url: " + quote(databaseUrl));
        }
        switch (storage) {
            case Local local -> cache.addAll(List.of("  storage:", "    local: " + quote(local.dir().toString())));
            case S3 s3 -> cache.addAll(List.of(
                    "  storage:",
                    "    s3:",
                    "      bucket: " + s3.bucket(),
                    "      endpoint: " + s3.server().endpoint(),
                    "      region: " + s3.server().region(),
                    "      access-key-id: " + s3.server().accessKey(),
                    "      secret-access-key: " + s3.server().secretKey(),
                    "      force-path-style: true"));
        }
        switch (locks) {
            case LocalLocks ignored -> { }
            case RedisLocks redis -> cache.addAll(List.of(
                    "  redis:",
                    "    addrs:",
                    "      - " + redis.addr(),
                    "  lock:",
                    "    redis:",
                    "      key-prefix: " + quote(redis.keyPrefix()),
                    "    allow-degraded-mode: " + redis.allowDegraded()));
            case PostgresLocks ignored -> cache.addAll(List.of("  lock:", "    backend: postgres"));
        }
        cache.addAll(extraCacheLines);
        return String.join("\n", List.of(
                "server:",
                "  addr: 127.0.0.1:" + port,
                "  advertise-url: http://127.0.0.1:" + port,
                "prometheus:",
                "  enabled: true",
                "cache:")) + "\n" + String.join("\n", cache) + "\n";
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
