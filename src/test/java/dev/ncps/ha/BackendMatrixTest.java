package dev.ncps.ha;

import dev.ncps.config.ConfigException;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every storage × database × lock backend combination a user can configure serves a real closure through
 * HTTP (narinfos and NARs verified against their hashes), and serves it again without asking upstream;
 * the combinations that cannot work are refused when the configuration is loaded.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackendMatrixTest {
    enum Db { SQLITE, POSTGRESQL, MARIADB }

    enum Store { LOCAL, S3 }

    enum Lock { LOCAL, REDIS, POSTGRES }

    private final AtomicInteger buckets = new AtomicInteger();
    private final Closure closure = new Closure();
    private NixUpstreamCache upstreamCache;
    private UpstreamServer upstream;
    private PostgresServer postgres;
    private MariaDbServer mariadb;
    private S3Server s3;
    private RedisServer redis;
    private Path work;

    @BeforeAll
    void startServers() {
        upstreamCache = NixUpstreamCache.standard();
        upstream = new UpstreamServer(upstreamCache.cacheDir());
        postgres = PostgresServer.start();
        mariadb = MariaDbServer.start("matrix");
        s3 = S3Server.start("ncps-matrix");
        redis = RedisServer.start("matrix");
        work = TestDirs.newWorkDir("backend-matrix");
    }

    @AfterAll
    void stopServers() {
        for (AutoCloseable server : new AutoCloseable[] {upstream, postgres, mariadb, s3, redis}) {
            try {
                if (server != null) {
                    server.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        TestDirs.deleteTree(work);
    }

    static Stream<Arguments> validCombinations() {
        List<Arguments> all = new ArrayList<>();
        for (Db db : Db.values()) {
            for (Store store : Store.values()) {
                for (Lock lock : Lock.values()) {
                    if (refusal(db, store, lock) == null) {
                        all.add(Arguments.of(db, store, lock));
                    }
                }
            }
        }
        return all.stream();
    }

    static Stream<Arguments> invalidCombinations() {
        List<Arguments> all = new ArrayList<>();
        for (Db db : Db.values()) {
            for (Store store : Store.values()) {
                for (Lock lock : Lock.values()) {
                    String refusal = refusal(db, store, lock);
                    if (refusal != null) {
                        all.add(Arguments.of(db, store, lock, refusal));
                    }
                }
            }
        }
        return all.stream();
    }

    /** The (first) message ncps must refuse this combination with, or null when it is valid. */
    private static String refusal(Db db, Store store, Lock lock) {
        if (lock == Lock.LOCAL) {
            return null;
        }
        if (store == Store.LOCAL) {
            return "which needs shared storage: configure cache.storage.s3.* instead of cache.storage.local";
        }
        if (lock == Lock.POSTGRES && db != Db.POSTGRESQL) {
            return "cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is postgres, which needs a PostgreSQL";
        }
        if (db == Db.SQLITE) {
            return "which needs a shared database: a SQLite file cannot be shared between instances";
        }
        return null;
    }

    @ParameterizedTest(name = "{0} + {1} storage + {2} locks")
    @MethodSource("validCombinations")
    void servesAClosureAndThenServesItFromTheCache(Db db, Store store, Lock lock) throws Exception {
        NcpsYaml first = yaml(db, store, lock, Processes.freePort());
        boolean cluster = lock != Lock.LOCAL;
        upstream.resetCounts();
        try (InProcessNcps a = InProcessNcps.fromYaml(first.text(), work);
             InProcessNcps b = cluster ? InProcessNcps.fromYaml(first.withPort(Processes.freePort()).text(), work) : null) {
            closure.fetchAll(a.url(), upstreamCache);
            int narInfos = upstreamCache.storePaths().size();
            assertThat(upstream.narRequests()).as("one upstream NAR request per path").isEqualTo(narInfos);
            assertThat(upstream.narInfoRequests()).as("upstream narinfo requests").isEqualTo(narInfos);

            upstream.resetCounts();
            closure.fetchAll(a.url(), upstreamCache);
            if (b != null) {
                closure.fetchAll(b.url(), upstreamCache);
            }
            assertThat(upstream.counts()).as("upstream requests on the second round (hits only)").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} + {1} storage + {2} locks is refused")
    @MethodSource("invalidCombinations")
    void refusesCombinationsThatCannotBeShared(Db db, Store store, Lock lock, String message) {
        NcpsYaml yaml = new NcpsYaml(Processes.freePort(), upstream.url(), upstreamCache.publicKey(), storage(store),
                databaseUrlWithoutCreating(db), locks(lock), List.of());
        ConfigException refused = catchThrowableOfType(ConfigException.class, () -> InProcessNcps.loadYaml(yaml.text(), work));
        assertThat(refused).as("config for %s/%s/%s", db, store, lock).isNotNull();
        assertThat(refused.problems()).anySatisfy(problem -> assertThat(problem).contains(message));
    }

    @Test
    void theStep4ConfigurationOfTheHaGuideLoads() throws Exception {
        String yaml = """
                cache:
                  hostname: cache.example.com  # Same for all instances

                  storage:
                    s3:
                      bucket: ncps-cache
                      endpoint: https://s3.amazonaws.com
                      region: us-east-1
                      access-key-id: ${S3_ACCESS_KEY}
                      secret-access-key: ${S3_SECRET_KEY}
                      force-path-style: false  # Set to true for MinIO

                  database-url: postgresql://ncps:password@postgres:5432/ncps?sslmode=require

                  redis:
                    addrs:
                      - redis:6379
                    password: ${REDIS_PASSWORD}  # If using auth

                  lock:
                    download-lock-ttl: 5m
                    lru-lock-ttl: 30m
                    retry:
                      max-attempts: 3
                      initial-delay: 100ms
                      max-delay: 2s
                      jitter: true

                  upstream:
                    urls:
                      - https://cache.nixos.org
                    public-keys:
                      - cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=

                prometheus:
                  enabled: true
                """;
        var config = new dev.ncps.config.ConfigLoader(java.util.Map.of("HOME", work.toString(), "S3_ACCESS_KEY", "AKIA",
                "S3_SECRET_KEY", "secret", "REDIS_PASSWORD", "pw"), work, () -> "testhost")
                .serve(java.util.Map.of(dev.ncps.config.Options.CONFIG, List.of(write(yaml).toString()))).config();
        assertThat(config.lock().backend()).isEqualTo(dev.ncps.lock.LockBackend.REDIS);
        assertThat(config.lock().redis().orElseThrow().password()).contains("pw");
        assertThat(config.database().url().dialect()).isEqualTo(dev.ncps.index.Dialect.POSTGRESQL);
        assertThat(config.storage()).isInstanceOf(dev.ncps.config.StorageConfig.S3.class);
        assertThat(config.server().prometheusEnabled()).isTrue();
    }

    private Path write(String yaml) throws java.io.IOException {
        Path file = java.nio.file.Files.createTempFile(work, "seed-", ".yaml");
        java.nio.file.Files.writeString(file, yaml);
        return file;
    }

    private NcpsYaml yaml(Db db, Store store, Lock lock, int port) {
        return new NcpsYaml(port, upstream.url(), upstreamCache.publicKey(), storage(store), databaseUrl(db), locks(lock), List.of());
    }

    private NcpsYaml.Storage storage(Store store) {
        return switch (store) {
            case LOCAL -> new NcpsYaml.Local(TestDirs.newWorkDir("matrix-store"));
            case S3 -> {
                String bucket = "matrix-" + buckets.incrementAndGet();
                try (var client = s3.client()) {
                    client.createBucket(b -> b.bucket(bucket));
                }
                yield new NcpsYaml.S3(s3, bucket);
            }
        };
    }

    private String databaseUrl(Db db) {
        return switch (db) {
            case SQLITE -> "sqlite:" + TestDirs.newWorkDir("matrix-sqlite").resolve("db.sqlite");
            case POSTGRESQL -> postgres.createDatabase().url();
            case MARIADB -> mariadb.createDatabase().url();
        };
    }

    private static String databaseUrlWithoutCreating(Db db) {
        return switch (db) {
            case SQLITE -> "sqlite:/var/lib/ncps/db/db.sqlite";
            case POSTGRESQL -> "postgresql://ncps:pw@127.0.0.1:5432/ncps";
            case MARIADB -> "mysql://ncps:pw@127.0.0.1:3306/ncps";
        };
    }

    private NcpsYaml.Locks locks(Lock lock) {
        return switch (lock) {
            case LOCAL -> new NcpsYaml.LocalLocks();
            case REDIS -> new NcpsYaml.RedisLocks("127.0.0.1:" + redis.port(), "matrix-" + buckets.incrementAndGet() + ":", false);
            case POSTGRES -> new NcpsYaml.PostgresLocks();
        };
    }
}
