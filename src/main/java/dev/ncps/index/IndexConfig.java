package dev.ncps.index;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the index database: a JDBC URL with its credentials, the engine, the pool bounds and
 * whether {@link Index#open} applies pending migrations. The config loader builds it from the configured
 * {@code dev.ncps.config.DatabaseUrl}, which parses the ncps database URL forms.
 *
 * @param maxOpen most connections in the pool (SQLite: readers; writes always go through one connection)
 * @param maxIdle connections kept open while idle
 * @param networkTimeout how long a statement on a database server may wait for the server's next bytes before it
 *     fails and its connection is dropped ({@link #DEFAULT_NETWORK_TIMEOUT}); migrations have none, and a
 *     {@code socketTimeout} parameter in the URL takes precedence
 */
public record IndexConfig(Dialect dialect, String jdbcUrl, String user, String password, int maxOpen, int maxIdle,
                          boolean migrateOnOpen, Duration networkTimeout) {

    /** The Go ncps pool defaults. */
    public static final int DEFAULT_MAX_OPEN = 25;
    public static final int DEFAULT_MAX_IDLE = 5;
    /**
     * Far longer than any statement of a serving instance takes (the longest are bounded batches), and far shorter
     * than the many minutes a connection to a server that vanished (power loss, a failover) takes to break by itself.
     */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(60);

    public IndexConfig {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (maxOpen < 1) throw new IllegalArgumentException("database pool max open connections must be at least 1, got " + maxOpen);
        if (maxIdle < 0 || maxIdle > maxOpen) {
            throw new IllegalArgumentException("database pool max idle connections must be between 0 and max open ("
                    + maxOpen + "), got " + maxIdle);
        }
        Objects.requireNonNull(networkTimeout, "networkTimeout");
        if (networkTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("database network timeout must be at least 1s, got " + networkTimeout);
        }
    }

    public IndexConfig(Dialect dialect, String jdbcUrl, String user, String password, int maxOpen, int maxIdle,
                       boolean migrateOnOpen) {
        this(dialect, jdbcUrl, user, password, maxOpen, maxIdle, migrateOnOpen, DEFAULT_NETWORK_TIMEOUT);
    }

    /**
     * Settings that apply pending migrations on open, for a pool of {@code maxOpen} connections keeping
     * {@code maxIdle} while idle; 0 for either means the default, and idle never exceeds open.
     */
    public static IndexConfig pooled(Dialect dialect, String jdbcUrl, String user, String password, int maxOpen, int maxIdle) {
        int open = maxOpen > 0 ? maxOpen : DEFAULT_MAX_OPEN;
        int idle = Math.min(maxIdle > 0 ? maxIdle : DEFAULT_MAX_IDLE, open);
        return new IndexConfig(dialect, jdbcUrl, user, password, open, idle, true);
    }

    public IndexConfig withPool(int newMaxOpen, int newMaxIdle) {
        return new IndexConfig(dialect, jdbcUrl, user, password, newMaxOpen, newMaxIdle, migrateOnOpen, networkTimeout);
    }

    public IndexConfig withMigrateOnOpen(boolean migrate) {
        return new IndexConfig(dialect, jdbcUrl, user, password, maxOpen, maxIdle, migrate, networkTimeout);
    }

    public IndexConfig withNetworkTimeout(Duration timeout) {
        return new IndexConfig(dialect, jdbcUrl, user, password, maxOpen, maxIdle, migrateOnOpen, timeout);
    }

    /** The SQLite database file, for creating its parent directories; null for other engines. */
    Path sqliteFile() {
        if (dialect != Dialect.SQLITE) return null;
        String path = jdbcUrl.substring("jdbc:sqlite:".length());
        int query = path.indexOf('?');
        return Path.of(query < 0 ? path : path.substring(0, query));
    }

    @Override
    public String toString() {
        return "IndexConfig[" + dialect + " " + jdbcUrl + (user == null ? "" : " user=" + user)
                + " maxOpen=" + maxOpen + " maxIdle=" + maxIdle + " migrateOnOpen=" + migrateOnOpen
                + " networkTimeout=" + networkTimeout + "]";
    }

    /** The URL with its password replaced, for error messages and logs. */
    static String redact(String url) {
        return url.replaceFirst("(://[^/@:]*:)[^/@]*@", "$1***@");
    }
}
