package dev.ncps.lock;

import redis.clients.jedis.HostAndPort;

import java.util.List;

/**
 * The {@code cache.redis.*} options.
 *
 * @param addrs    {@code host:port} of one Redis server, or of several nodes of one Redis Cluster
 * @param username ACL user name, or null
 * @param password password, or null
 * @param db       database number; only 0 exists in a Redis Cluster
 * @param useTls   connect with TLS (the JVM's default trust store verifies the server)
 * @param poolSize most connections kept open at once
 */
public record RedisSettings(List<String> addrs, String username, String password, int db, boolean useTls,
                            int poolSize) {

    public static final int DEFAULT_POOL_SIZE = 10;
    /** What {@code cache.redis.addrs} accepts (the config loader checks values with {@link #isAddress}). */
    public static final String ADDRESS_FORM = "host:port, e.g. redis:6379 or [::1]:6379";

    public RedisSettings {
        addrs = addrs == null ? List.of() : List.copyOf(addrs);
        addrs.forEach(RedisSettings::parse);
        if (db < 0) {
            throw new IllegalArgumentException("cache.redis.db: " + db + " is not allowed; it must be 0 or more");
        }
        if (addrs.size() > 1 && db != 0) {
            throw new IllegalArgumentException("cache.redis.db: " + db + " is not allowed with several cache.redis.addrs"
                    + " (a Redis Cluster has only database 0)");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("cache.redis.pool-size: " + poolSize + " is not allowed; it must be at least 1");
        }
    }

    /** One server at {@code host:port}, no auth, no TLS. */
    public static RedisSettings of(String addr) {
        return new RedisSettings(List.of(addr), null, null, 0, false, DEFAULT_POOL_SIZE);
    }

    /** Whether {@code addr} is an address of {@link #ADDRESS_FORM}: the one rule, for the config loader too. */
    public static boolean isAddress(String addr) {
        try {
            parse(addr);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "RedisSettings[addrs=" + addrs + ", username=" + (username == null ? "(none)" : username) + ", password="
                + (password == null ? "(none)" : "(hidden)") + ", db=" + db + ", useTls=" + useTls + ", poolSize=" + poolSize + "]";
    }

    public boolean configured() {
        return !addrs.isEmpty();
    }

    /** Several addresses are the seed nodes of one Redis Cluster, never independent Redlock nodes. */
    public boolean cluster() {
        return addrs.size() > 1;
    }

    List<HostAndPort> hostsAndPorts() {
        return addrs.stream().map(RedisSettings::parse).toList();
    }

    /** {@code host:port}, {@code [v6]:port}. */
    static HostAndPort parse(String addr) {
        if (addr == null) {
            throw new IllegalArgumentException("cache.redis.addrs: an entry is null");
        }
        int colon = addr.lastIndexOf(':');
        String host = colon < 0 ? "" : addr.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(addr.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (host.isBlank() || host.contains("[") || host.contains("]") || (!bracketed && host.contains(":")) || port < 1 || port > 65535) {
            throw new IllegalArgumentException("cache.redis.addrs: '" + addr + "' is not " + ADDRESS_FORM);
        }
        return new HostAndPort(host, port);
    }
}
