package dev.ncps.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ncps.config.DatabaseConfig;
import dev.ncps.config.HostPort;
import dev.ncps.config.LockConfig;
import dev.ncps.config.StorageConfig;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.IndexException;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockBackends;
import dev.ncps.lock.LockException;
import dev.ncps.lock.LockMetrics;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.Locks;
import dev.ncps.lock.RedisSettings;
import dev.ncps.store.LocalStore;
import dev.ncps.store.S3Config;
import dev.ncps.store.S3Store;
import dev.ncps.store.Store;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.util.function.UnaryOperator;

/** Opens the storage, index and locks a configuration names; serve and the maintenance commands share this. */
public final class Backends {
    private Backends() {}

    public static IndexConfig indexConfig(DatabaseConfig database) {
        return Databases.indexConfig(database);
    }

    public static Index openIndex(DatabaseConfig database) throws IndexException {
        return Index.open(indexConfig(database));
    }

    public static Store openStore(StorageConfig storage) throws IOException {
        return switch (storage) {
            case StorageConfig.Local local -> new LocalStore(local.root());
            case StorageConfig.S3 s3 -> new S3Store(new S3Config(s3.endpoint(), s3.region().orElse(null), s3.bucket(),
                    s3.accessKeyId(), s3.secretAccessKey(), s3.forcePathStyle(),
                    S3Config.ChecksumMode.valueOf(s3.checksumMode().name())));
        };
    }

    /** The configured lock backend; {@code track} receives what must be closed with it (a connection pool). */
    public static Locks openLocks(LockConfig lock, DatabaseConfig database, PrometheusRegistry registry,
                                  UnaryOperator<Object> track) throws LockException {
        LockSettings settings = new LockSettings(lock.redisKeyPrefix(), lock.retry().maxAttempts(), lock.retry().initialDelay(),
                lock.retry().maxDelay(), lock.retry().jitter(), lock.allowDegradedMode());
        LockBackend backend = LockBackend.valueOf(lock.backend().name());
        RedisSettings redis = lock.redis().map(r -> new RedisSettings(r.addrs().stream().map(HostPort::toString).toList(),
                r.username().orElse(null), r.password().orElse(null), r.db(), r.useTls(), r.poolSize())).orElse(null);
        HikariDataSource pool = backend == LockBackend.POSTGRES ? (HikariDataSource) track.apply(lockPool(database)) : null;
        return (Locks) track.apply(LockBackends.open(backend, settings, redis, pool, new LockMetrics(registry)));
    }

    /** A few connections of their own, so lock traffic never waits behind index queries. */
    private static HikariDataSource lockPool(DatabaseConfig database) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("locks");
        pool.setJdbcUrl(database.url().jdbcUrl());
        database.url().user().ifPresent(pool::setUsername);
        database.url().password().ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        return new HikariDataSource(pool);
    }
}
