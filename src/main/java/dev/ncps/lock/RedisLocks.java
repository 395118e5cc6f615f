package dev.ncps.lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;

/**
 * Leases in Redis ({@code SET key token|value NX PX ttl}, Lua compare-and-delete/-pexpire/-replace).
 * One address is a single server; several addresses are seed nodes of one Redis Cluster (every
 * operation touches one key, so the cluster needs no hash tags).
 *
 * <p>A circuit breaker guards Redis: after 5 consecutive connection errors it opens for 3 seconds, then
 * lets one probe through. While it is open, operations either fail at once with
 * {@link LockException.Reason#CIRCUIT_BREAKER} (so the cache can answer 503 fast), or, with
 * {@code allow-degraded-mode}, fall back to in-process leases: the instance keeps working but downloads
 * are no longer de-duplicated across instances. Redis answering again closes the breaker by itself.
 */
public final class RedisLocks extends LeaseLocks {
    private static final Logger log = LoggerFactory.getLogger(RedisLocks.class);
    /** Short, so that a dead Redis costs a request little; lock commands answer in microseconds. */
    static final int TIMEOUT_MILLIS = 2000;

    private final String where;
    private final ReachabilityBreaker breaker;
    private final RedisLeaseStore redis;
    private final LeaseStore gated;
    private final LocalLeaseStore local;

    /**
     * Connects and pings. Unreachable Redis fails startup, unless degraded mode is allowed: then it
     * starts degraded and switches to Redis once a probe succeeds.
     */
    public RedisLocks(RedisSettings redisSettings, LockSettings settings, LockListener listener) throws LockException {
        this(redisSettings, settings, listener, Timing.SYSTEM, ReachabilityBreaker.DEFAULT_THRESHOLD,
                ReachabilityBreaker.DEFAULT_OPEN_FOR);
    }

    RedisLocks(RedisSettings redisSettings, LockSettings settings, LockListener listener, Timing timing,
               int breakerThreshold, Duration breakerOpenFor) throws LockException {
        super(settings, listener, timing);
        if (!redisSettings.configured()) {
            throw new IllegalArgumentException("cache.redis.addrs is empty; the redis lock backend needs at least one host:port");
        }
        this.where = String.join(",", redisSettings.addrs());
        this.breaker = new ReachabilityBreaker(breakerThreshold, breakerOpenFor, timing.clock(), new Transitions());
        this.redis = new RedisLeaseStore(() -> client(redisSettings), breaker, where);
        this.gated = new GatedStore();
        this.local = new LocalLeaseStore(timing.clock());
        start();
    }

    private void start() throws LockException {
        try {
            redis.ping();
            listener.onRedisReachability(true);
            log.info("redis lock backend at {} reachable", where);
        } catch (LockException e) {
            if (!settings.allowDegradedMode()) {
                redis.close();
                throw new LockException(e.reason(), "redis lock backend at " + where + " is unreachable: "
                        + e.getMessage() + " (set cache.lock.allow-degraded-mode: true to start with in-process locks)", e);
            }
            breaker.forceOpen();
        }
    }

    static UnifiedJedis client(RedisSettings settings) {
        JedisClientConfig config = clientConfig(settings);
        GenericObjectPoolConfig<Connection> pool = poolConfig(settings);
        if (settings.cluster()) {
            return RedisClusterClient.builder().nodes(new HashSet<>(settings.hostsAndPorts()))
                    .clientConfig(config).poolConfig(pool).build();
        }
        HostAndPort node = settings.hostsAndPorts().getFirst();
        return RedisClient.builder().hostAndPort(node).clientConfig(config).poolConfig(pool).build();
    }

    static JedisClientConfig clientConfig(RedisSettings settings) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MILLIS)
                .socketTimeoutMillis(TIMEOUT_MILLIS)
                .ssl(settings.useTls())
                .clientName("ncps-locks");
        if (!settings.cluster()) {
            config.database(settings.db());
        }
        if (settings.username() != null && !settings.username().isEmpty()) {
            config.user(settings.username());
        }
        if (settings.password() != null && !settings.password().isEmpty()) {
            config.password(settings.password());
        }
        return config.build();
    }

    static GenericObjectPoolConfig<Connection> poolConfig(RedisSettings settings) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        // Without a bound a full pool would block a request forever.
        pool.setMaxWait(Duration.ofMillis(TIMEOUT_MILLIS));
        // After a Redis restart every idle connection is dead; without a check on borrow each of them would
        // fail one half-open probe and keep the breaker open a minute longer. A PING per lock operation is cheap.
        pool.setTestOnBorrow(true);
        return pool;
    }

    @Override
    LeaseStore route() {
        if (!settings.allowDegradedMode()) {
            return gated;
        }
        return breaker.allowRequest() ? redis : local;
    }

    /** In degraded mode a failing Redis call falls back to in-process leases at once, breaker open or not. */
    @Override
    LeaseStore fallback(LeaseStore failed, LockException cause) {
        if (!settings.allowDegradedMode() || failed != redis) {
            return null;
        }
        log.warn("DEGRADED MODE: redis lock backend at {} failed ({}); using an in-process lock instead."
                + " Downloads are NOT de-duplicated across instances until redis answers again", where, cause.getMessage());
        return local;
    }

    @Override
    LeaseStore leaseStore(LeaseStore granting) {
        return granting == redis ? gated : granting;
    }

    /** True while Redis is considered down (and, with degraded mode, in-process leases are used). */
    public boolean degraded() {
        return breaker.isOpen();
    }

    @Override
    public String mode() {
        return "redis";
    }

    @Override
    public void close() {
        redis.close();
        local.close();
    }

    private LockException circuitOpen(String key) {
        return new LockException(LockException.Reason.CIRCUIT_BREAKER,
                "redis unavailable (circuit open): lock " + key + " not attempted, redis at " + where
                        + " failed repeatedly", null);
    }

    /** Redis behind the breaker: rejected at once while it is open. */
    private final class GatedStore implements LeaseStore {
        @Override
        public boolean insert(String key, String token, String value, Duration ttl) throws LockException {
            allow(key);
            return redis.insert(key, token, value, ttl);
        }

        @Override
        public boolean extend(String key, String token, Duration ttl) throws LockException {
            allow(key);
            return redis.extend(key, token, ttl);
        }

        @Override
        public boolean delete(String key, String token) throws LockException {
            allow(key);
            return redis.delete(key, token);
        }

        @Override
        public Optional<String> value(String key) throws LockException {
            allow(key);
            return redis.value(key);
        }

        @Override
        public boolean replace(String key, String deadValue, String token, String value, Duration ttl)
                throws LockException {
            allow(key);
            return redis.replace(key, deadValue, token, value, ttl);
        }

        private void allow(String key) throws LockException {
            if (!breaker.allowRequest()) {
                throw circuitOpen(key);
            }
        }

        @Override
        public String metricsMode() {
            return redis.metricsMode();
        }

        @Override
        public void close() {
            redis.close();
        }
    }

    /** Logs each transition once and keeps the connectivity gauge in step. */
    private final class Transitions implements ReachabilityBreaker.Listener {
        @Override
        public void opened(int failures) {
            listener.onRedisReachability(false);
            String cause = failures == 0 ? "unreachable at startup" : failures + " consecutive connection errors";
            if (settings.allowDegradedMode()) {
                log.warn("DEGRADED MODE: redis lock backend at {} unavailable ({}); falling back to in-process locks."
                        + " Downloads are NOT de-duplicated across instances until redis answers again", where, cause);
            } else {
                log.error("redis lock backend at {} unavailable ({}); lock operations fail fast (circuit open)"
                        + " until redis answers again", where, cause);
            }
        }

        /** The gauge drops at the first failed call, not when the breaker opens after several. */
        @Override
        public void reachability(boolean reached) {
            listener.onRedisReachability(reached);
        }

        @Override
        public void closed() {
            log.warn("redis lock backend at {} answers again; distributed locks restored", where);
        }
    }
}
