package dev.ncps.index;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the index database: a JDBC URL with its credentials, the engine, the pool bounds and
 * whether {@link Index#open} applies pending migrations. {@link #fromUrl} translates the ncps database
 * URL forms ({@code sqlite:}, {@code postgres://}, {@code mysql://} …) into one.
 *
 * @param maxOpen most connections in the pool (SQLite: readers; writes always go through one connection)
 * @param maxIdle connections kept open while idle
 */
public record IndexConfig(Dialect dialect, String jdbcUrl, String user, String password, int maxOpen, int maxIdle,
                          boolean migrateOnOpen) {

    /** The Go ncps pool defaults. */
    public static final int DEFAULT_MAX_OPEN = 25;
    public static final int DEFAULT_MAX_IDLE = 5;

    public IndexConfig {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (maxOpen < 1) throw new IllegalArgumentException("database pool max open connections must be at least 1, got " + maxOpen);
        if (maxIdle < 0 || maxIdle > maxOpen) {
            throw new IllegalArgumentException("database pool max idle connections must be between 0 and max open ("
                    + maxOpen + "), got " + maxIdle);
        }
    }

    public IndexConfig withPool(int newMaxOpen, int newMaxIdle) {
        return new IndexConfig(dialect, jdbcUrl, user, password, newMaxOpen, newMaxIdle, migrateOnOpen);
    }

    public IndexConfig withMigrateOnOpen(boolean migrate) {
        return new IndexConfig(dialect, jdbcUrl, user, password, maxOpen, maxIdle, migrate);
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
                + " maxOpen=" + maxOpen + " maxIdle=" + maxIdle + " migrateOnOpen=" + migrateOnOpen + "]";
    }

    /**
     * Translates an ncps database URL. Accepted forms:
     * <ul>
     *   <li>{@code sqlite:/abs/path.db}, {@code sqlite:relative.db}, {@code sqlite3:…}, {@code sqlite:///abs/path.db}
     *       (a query string is ignored, as in the Go ncps; relative paths resolve against the working directory)</li>
     *   <li>{@code postgres://user:pass@host:port/db?sslmode=require} and {@code postgresql://…}
     *       (query parameters are passed to the driver)</li>
     *   <li>{@code mysql://user:pass@host:port/db} (query parameters are passed to the MariaDB driver)</li>
     * </ul>
     * Unix sockets ({@code postgres+unix:///dir/db}, {@code mysql+unix:///path/to.sock/db}, {@code ?host=/dir},
     * {@code ?socket=}, {@code ?unix_socket=}) are recognised but rejected with the reason: the JDBC drivers
     * need native helpers (a socket factory, JNA) for them that ncps does not ship.
     *
     * @throws IllegalArgumentException naming the URL (without its password) and what is wrong with it
     */
    public static IndexConfig fromUrl(String url) {
        Objects.requireNonNull(url, "database URL");
        int colon = url.indexOf(':');
        if (colon <= 0) throw bad(url, "it has no scheme; expected sqlite:, postgres:// or mysql://");
        String scheme = url.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
        int plus = scheme.indexOf('+');
        String engine = plus < 0 ? scheme : scheme.substring(0, plus);
        String transport = plus < 0 ? "" : scheme.substring(plus + 1);
        return switch (engine) {
            case "sqlite", "sqlite3" -> sqlite(url, url.substring(colon + 1));
            case "postgres", "postgresql" -> postgres(url, transport);
            case "mysql" -> mysql(url, transport);
            default -> throw bad(url, "unknown database scheme '" + scheme
                    + "'; allowed: sqlite, sqlite3, postgres, postgresql, mysql (optionally +unix)");
        };
    }

    private static IndexConfig sqlite(String url, String rest) {
        String path = rest;
        int cut = indexOfAny(path, "?#");
        if (cut >= 0) path = path.substring(0, cut);
        if (path.startsWith("//")) {
            // sqlite://<host>/path: only an empty host makes sense for a file
            int slash = path.indexOf('/', 2);
            if (slash != 2) throw bad(url, "a SQLite URL names a file, not a host; use sqlite:/abs/path.db");
            path = path.substring(2);
        }
        path = URLDecoder.decode(path, StandardCharsets.UTF_8);
        if (path.isEmpty()) throw bad(url, "the SQLite file path is empty");
        Path file = Path.of(path).toAbsolutePath().normalize();
        return new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null, DEFAULT_MAX_OPEN, DEFAULT_MAX_IDLE, true);
    }

    private static IndexConfig postgres(String url, String transport) {
        if (transport.equals("unix")) {
            throw bad(url, "PostgreSQL over a unix socket is not supported by the JDBC driver without a socket factory;"
                    + " use postgres://user:pass@localhost:5432/db");
        }
        if (!transport.isEmpty()) throw bad(url, "unknown transport '+" + transport + "'");
        URI uri = parse(url);
        if (uri.getHost() == null) throw bad(url, "it has no host");
        String database = database(url, uri.getRawPath());
        List<String> params = new ArrayList<>();
        for (String[] p : queryParameters(uri)) {
            if (p[0].equals("host") && p[1].startsWith("/")) {
                throw bad(url, "PostgreSQL over a unix socket (host=" + p[1] + ") is not supported by the JDBC driver");
            }
            params.add(p[0] + "=" + encode(p[1]));
        }
        String jdbc = "jdbc:postgresql://" + hostPort(uri) + "/" + encode(database)
                + (params.isEmpty() ? "" : "?" + String.join("&", params));
        return new IndexConfig(Dialect.POSTGRESQL, jdbc, user(uri), password(uri), DEFAULT_MAX_OPEN, DEFAULT_MAX_IDLE, true);
    }

    private static IndexConfig mysql(String url, String transport) {
        if (!transport.isEmpty() && !transport.equals("unix")) throw bad(url, "unknown transport '+" + transport + "'");
        URI uri = parse(url);
        String rawPath = uri.getRawPath();
        String socket = null;
        String database;
        if (transport.equals("unix")) {
            // mysql+unix:///path/to.sock/dbname: the last segment is the database, the rest the socket
            int last = rawPath == null ? -1 : rawPath.lastIndexOf('/');
            if (last <= 0) throw bad(url, "expected mysql+unix:///path/to.sock/dbname");
            socket = URLDecoder.decode(rawPath.substring(0, last), StandardCharsets.UTF_8);
            database = database(url, rawPath.substring(last));
        } else {
            database = database(url, rawPath);
        }
        List<String> params = new ArrayList<>();
        for (String[] p : queryParameters(uri)) {
            boolean socketParameter = p[0].equals("socket") || p[0].equals("unix_socket")
                    || (p[0].equals("host") && p[1].startsWith("/"));
            if (socketParameter) {
                socket = p[1];
            } else if (!p[0].equals("parseTime") && !p[0].equals("loc") && !p[0].equals("time_zone")) {
                // Go driver options that mean nothing to JDBC are dropped; the session is UTC anyway.
                params.add(p[0] + "=" + encode(p[1]));
            }
        }
        if (socket != null) {
            // The MariaDB driver reaches unix sockets through JNA, which ncps does not ship.
            throw bad(url, "MySQL over the unix socket " + socket + " is not supported (the JDBC driver needs JNA for it);"
                    + " use mysql://user:pass@127.0.0.1:3306/" + database);
        }
        if (uri.getHost() == null) throw bad(url, "it has no host");
        String jdbc = "jdbc:mariadb://" + hostPort(uri) + "/" + encode(database)
                + (params.isEmpty() ? "" : "?" + String.join("&", params));
        return new IndexConfig(Dialect.MYSQL, jdbc, user(uri), password(uri), DEFAULT_MAX_OPEN, DEFAULT_MAX_IDLE, true);
    }

    private static URI parse(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw bad(url, "it is not a valid URL: " + e.getReason() + " at index " + e.getIndex());
        }
    }

    private static String database(String url, String rawPath) {
        if (rawPath == null || rawPath.length() <= 1) throw bad(url, "it names no database (expected /dbname after the host)");
        String name = URLDecoder.decode(rawPath.substring(1), StandardCharsets.UTF_8);
        if (name.contains("/")) throw bad(url, "the database name '" + name + "' contains '/'");
        return name;
    }

    private static String hostPort(URI uri) {
        String host = uri.getHost();
        return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }

    private static String user(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null) return null;
        int colon = info.indexOf(':');
        return URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
    }

    private static String password(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null || info.indexOf(':') < 0) return null;
        return URLDecoder.decode(info.substring(info.indexOf(':') + 1), StandardCharsets.UTF_8);
    }

    private static List<String[]> queryParameters(URI uri) {
        List<String[]> result = new ArrayList<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) return result;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            result.add(new String[] {key, value});
        }
        return result;
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    private static int indexOfAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) return i;
        }
        return -1;
    }

    private static IllegalArgumentException bad(String url, String why) {
        return new IllegalArgumentException("invalid database URL '" + redact(url) + "': " + why);
    }

    /** The URL with its password replaced, for error messages and logs. */
    static String redact(String url) {
        return url.replaceFirst("(://[^/@:]*:)[^/@]*@", "$1***@");
    }
}
