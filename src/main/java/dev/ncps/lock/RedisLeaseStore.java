package dev.ncps.lock;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Leases as Redis strings {@code <token>|<value>} with a PX expiry. Every conditional write is one
 * command or one Lua script on a single key, so it is atomic and also valid on a Redis Cluster.
 * Each call tells the circuit breaker whether Redis could be reached.
 */
final class RedisLeaseStore implements LeaseStore {
    private static final String SEPARATOR = "|";

    /** ARGV[1] is {@code <token>|}: tokens never contain '|', so the prefix identifies the owner exactly. */
    private static final String DELETE_IF_OWNER = """
            local current = redis.call('GET', KEYS[1])
            if current and string.sub(current, 1, #ARGV[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";
    private static final String EXTEND_IF_OWNER = """
            local current = redis.call('GET', KEYS[1])
            if current and string.sub(current, 1, #ARGV[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    /** The value part follows the first '|': tokens never contain one, values may. */
    private static final String REPLACE_IF_VALUE = """
            local current = redis.call('GET', KEYS[1])
            if not current then return 0 end
            local sep = string.find(current, '|', 1, true)
            if sep and string.sub(current, sep + 1) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0""";

    private final Supplier<UnifiedJedis> connect;
    private final ReachabilityBreaker breaker;
    private final String where;
    /** Created on first use: a cluster client reads the slot map when built, which fails while Redis is down. */
    private UnifiedJedis redis;

    RedisLeaseStore(Supplier<UnifiedJedis> connect, ReachabilityBreaker breaker, String where) {
        this.connect = connect;
        this.breaker = breaker;
        this.where = where;
    }

    private synchronized UnifiedJedis redis() {
        if (redis == null) {
            redis = connect.get();
        }
        return redis;
    }

    @FunctionalInterface
    private interface Command<T> {
        T run(UnifiedJedis redis);
    }

    private <T> T call(String what, String key, Command<T> command) throws LockException {
        T result;
        try {
            result = command.run(redis());
        } catch (JedisConnectionException | JedisClusterOperationException e) {
            breaker.failure();
            throw error(what, key, e);
        } catch (JedisException e) {
            // Redis answered (script error, OOM, full pool): reachable, but this operation failed.
            breaker.success();
            throw error(what, key, e);
        }
        breaker.success();
        return result;
    }

    private LockException error(String what, String key, JedisException e) {
        LockException.Reason reason = LockException.causedByTimeout(e) ? LockException.Reason.TIMEOUT : LockException.Reason.REDIS_ERROR;
        return new LockException(reason, "redis at " + where + " failed to " + what + " lock " + key + ": " + e.getMessage(), e);
    }

    /** A round trip, to learn at startup whether Redis is there. */
    void ping() throws LockException {
        call("ping for", "-", UnifiedJedis::ping);
    }

    @Override
    public boolean insert(String key, String token, String value, Duration ttl) throws LockException {
        SetParams params = SetParams.setParams().nx().px(ttl.toMillis());
        return "OK".equals(call("acquire", key, redis -> redis.set(key, stored(token, value), params)));
    }

    @Override
    public boolean extend(String key, String token, Duration ttl) throws LockException {
        Object result = call("renew", key, redis -> redis.eval(EXTEND_IF_OWNER, List.of(key),
                List.of(token + SEPARATOR, Long.toString(ttl.toMillis()))));
        return Long.valueOf(1).equals(result);
    }

    @Override
    public boolean delete(String key, String token) throws LockException {
        Object result = call("release", key, redis -> redis.eval(DELETE_IF_OWNER, List.of(key), List.of(token + SEPARATOR)));
        return Long.valueOf(1).equals(result);
    }

    @Override
    public Optional<String> value(String key) throws LockException {
        String stored = call("read", key, redis -> redis.get(key));
        if (stored == null) {
            return Optional.empty();
        }
        int sep = stored.indexOf(SEPARATOR);
        return Optional.of(sep < 0 ? stored : stored.substring(sep + 1));
    }

    @Override
    public boolean replace(String key, String deadValue, String token, String value, Duration ttl) throws LockException {
        Object result = call("take over", key, redis -> redis.eval(REPLACE_IF_VALUE, List.of(key),
                List.of(deadValue, stored(token, value), Long.toString(ttl.toMillis()))));
        return Long.valueOf(1).equals(result);
    }

    private static String stored(String token, String value) {
        return token + SEPARATOR + value;
    }

    @Override
    public String metricsMode() {
        return "distributed";
    }

    @Override
    public synchronized void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
