package dev.ncps.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.cluster.ClusterCoordinator;
import dev.ncps.config.HostPort;
import dev.ncps.config.LockConfig;
import dev.ncps.config.ServeConfig;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockBackends;
import dev.ncps.lock.LockException;
import dev.ncps.lock.LockMetrics;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.Locks;
import dev.ncps.lock.RedisSettings;
import dev.ncps.metrics.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Chooses how this instance coordinates with others: alone, or through a shared lock backend. */
final class Coordination {
    private Coordination() {}

    static DownloadCoordinator create(ServeConfig config, Metrics metrics, Clock clock, UnaryOperator<Object> track)
            throws LockException {
        LockConfig lock = config.lock();
        if (lock.backend() == dev.ncps.config.LockBackend.LOCAL) {
            return DownloadCoordinator.SINGLE_INSTANCE;
        }
        PrometheusRegistry registry = metrics != null ? metrics.registry() : new PrometheusRegistry();
        LockSettings settings = new LockSettings(lock.redisKeyPrefix(), lock.retry().maxAttempts(), lock.retry().initialDelay(),
                lock.retry().maxDelay(), lock.retry().jitter(), lock.allowDegradedMode());
        LockBackend backend = LockBackend.valueOf(lock.backend().name());
        RedisSettings redis = lock.redis().map(r -> new RedisSettings(r.addrs().stream().map(HostPort::toString).toList(),
                r.username().orElse(null), r.password().orElse(null), r.db(), r.useTls(), r.poolSize())).orElse(null);
        HikariDataSource database = backend == LockBackend.POSTGRES ? (HikariDataSource) track.apply(lockPool(config)) : null;
        Locks locks = (Locks) track.apply(LockBackends.open(backend, settings, redis, database, new LockMetrics(registry)));
        String bootId = UUID.randomUUID().toString();
        return (DownloadCoordinator) track.apply(new ClusterCoordinator(locks, lock.downloadTtl(), lock.lruTtl(),
                config.downloadPollTimeout(), advertisedUrl(config), bootId, config.auth().getToken().orElse(null), clock, registry));
    }

    /** A few connections of their own, so lock traffic never waits behind index queries. */
    private static HikariDataSource lockPool(ServeConfig config) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("locks");
        pool.setJdbcUrl(config.database().url().jdbcUrl());
        config.database().url().user().ifPresent(pool::setUsername);
        config.database().url().password().ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        return new HikariDataSource(pool);
    }

    /** {@code server.advertise-url}, else this host's address and the listening port. */
    static String advertisedUrl(ServeConfig config) {
        if (config.server().advertiseUrl().isPresent()) {
            return config.server().advertiseUrl().get().toString();
        }
        HostPort addr = config.server().addr();
        String host = addr.host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException("cannot find this host's address for server.advertise-url; set it explicitly", e);
            }
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + addr.port();
    }
}
