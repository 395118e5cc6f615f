package dev.ncps.config;

import dev.ncps.index.Dialect;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.MariaDbUnixSocketFactory;
import dev.ncps.index.PostgresUnixSocketFactory;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A database location given as the Go ncps's URL, translated for JDBC. Credentials are kept out of
 * {@link #jdbcUrl()} so the URL can be logged; {@link #toString()} hides the password.
 *
 * @param unixSocket the socket file for {@code postgres+unix}/{@code mysql+unix} URLs and their {@code ?host=},
 *     {@code ?socket=} forms; the JDBC URL names a socket factory that connects to it.
 */
public record DatabaseUrl(Dialect dialect, String jdbcUrl, Optional<String> user, Optional<String> password,
                          Optional<Path> unixSocket) {
    static final String FORM = "a database URL: sqlite:/abs/path.db, sqlite:relative.db, "
            + "postgres://user:pass@host:5432/db, postgres+unix:///socket-dir/db, "
            + "mysql://user:pass@host:3306/db or mysql+unix:///path/to.sock/db";

    /** Parameters only Go's MySQL driver understands; MariaDB Connector/J handles times itself. */
    private static final List<String> GO_ONLY_MYSQL_PARAMS = List.of("parseTime", "loc");

    /** The database file of a SQLite URL. */
    public Optional<Path> sqliteFile() {
        return dialect == Dialect.SQLITE ? Optional.of(Path.of(jdbcUrl.substring("jdbc:sqlite:".length()))) : Optional.empty();
    }

    /** The index's settings for this database; 0 for a pool size means the index's default. */
    public IndexConfig index(int maxOpenConns, int maxIdleConns) {
        return IndexConfig.pooled(dialect, jdbcUrl, user.orElse(null), password.orElse(null), maxOpenConns, maxIdleConns);
    }

    public static DatabaseUrl sqlite(Path file) {
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A command's own database URL flag: the error names the flag, the value and the accepted form. */
    public static DatabaseUrl parseFlag(String flag, String text) throws ConfigException {
        try {
            return parse(text);
        } catch (InvalidValueException e) {
            throw new ConfigException("invalid value for " + flag + ": '" + Resolver.hidePassword(text) + "': " + e.getMessage());
        }
    }

    static DatabaseUrl parse(String text) throws InvalidValueException {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? "" : text.substring(0, colon).toLowerCase(Locale.ROOT);
        String transport = scheme.contains("+") ? scheme.substring(scheme.indexOf('+') + 1) : "";
        String base = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
        if (!transport.isEmpty() && !transport.equals("unix")) {
            throw invalid("unknown transport +" + transport);
        }
        return switch (base) {
            case "sqlite", "sqlite3" -> {
                if (!transport.isEmpty()) {
                    throw invalid("sqlite takes a file path, not a socket");
                }
                yield parseSqlite(text.substring(colon + 1));
            }
            case "postgres", "postgresql" -> parseNetwork(Dialect.POSTGRESQL, text.substring(colon + 1), !transport.isEmpty());
            case "mysql" -> parseNetwork(Dialect.MYSQL, text.substring(colon + 1), !transport.isEmpty());
            default -> throw invalid(scheme.isEmpty() ? "no scheme" : "unknown scheme " + scheme);
        };
    }

    private static DatabaseUrl parseSqlite(String rest) throws InvalidValueException {
        String path = cut(cut(rest, '#'), '?');
        if (path.startsWith("//")) {
            path = path.substring(2);
            if (!path.startsWith("/")) {
                throw invalid("sqlite:// must be followed by an absolute path");
            }
        }
        if (path.isEmpty()) {
            throw invalid("missing the database file");
        }
        return sqlite(Path.of(path));
    }

    private static DatabaseUrl parseNetwork(Dialect dialect, String rest, boolean unix) throws InvalidValueException {
        if (!rest.startsWith("//")) {
            throw invalid("expected :// after the scheme");
        }
        rest = cut(rest.substring(2), '#');
        String query = rest.contains("?") ? rest.substring(rest.indexOf('?') + 1) : "";
        rest = cut(rest, '?');
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hosts = authority.substring(at + 1);
        Optional<String> user = Optional.ofNullable(userInfo).map(u -> decode(cut(u, ':'))).filter(u -> !u.isEmpty());
        Optional<String> password = Optional.ofNullable(userInfo).filter(u -> u.contains(":"))
                .map(u -> decode(u.substring(u.indexOf(':') + 1)));

        List<String> params = new ArrayList<>();
        Path socket = null;
        String port = null;
        for (String param : query.split("&")) {
            String name = cut(param, '=');
            String value = param.contains("=") ? decode(param.substring(param.indexOf('=') + 1)) : "";
            if (param.isEmpty() || (dialect == Dialect.MYSQL && GO_ONLY_MYSQL_PARAMS.contains(name))) {
                continue;
            }
            if (dialect == Dialect.MYSQL && (name.equals("socket") || name.equals("unix_socket"))
                    || name.equals("host") && value.startsWith("/")) {
                socket = Path.of(value);
            } else {
                if (name.equals("port")) {
                    port = value;
                }
                params.add(param);
            }
        }

        String database;
        if (unix) {
            if (!hosts.isEmpty()) {
                throw invalid("a +unix URL has no host: write " + dialect.name().toLowerCase(Locale.ROOT).replace("postgresql", "postgres")
                        + "+unix:///path/db");
            }
            int last = path.lastIndexOf('/');
            if (last <= 0) {
                throw invalid("expected the socket path and then /database");
            }
            socket = Path.of(decode(path.substring(0, last)));
            database = path.substring(last + 1);
        } else {
            database = path.isEmpty() ? "" : path.substring(1);
            if (hosts.isEmpty() && socket == null) {
                throw invalid("missing the host");
            }
            if (!hosts.isEmpty()) {
                checkHosts(hosts);
            }
        }
        if (database.isEmpty() || database.contains("/")) {
            throw invalid("missing the database name after the host");
        }

        if (socket != null && dialect == Dialect.POSTGRESQL) {
            // libpq and pgx take a socket directory; the socket file inside is named after the port
            socket = socket.resolve(".s.PGSQL." + (port == null ? "5432" : port));
        }
        if (socket != null) {
            params.addAll(socketParams(dialect, socket));
        }
        String jdbcHost = hosts.isEmpty() ? "localhost" : hosts;
        String prefix = dialect == Dialect.POSTGRESQL ? "jdbc:postgresql://" : "jdbc:mariadb://";
        String jdbc = prefix + jdbcHost + "/" + database + (params.isEmpty() ? "" : "?" + String.join("&", params));
        return new DatabaseUrl(dialect, jdbc, user, password, Optional.ofNullable(socket));
    }

    /**
     * The drivers reach the socket through ncps's JDK-only socket factories (no native library to bundle).
     * PostgreSQL's driver URL-decodes parameters; MariaDB's splits on {@code &} and decodes nothing.
     */
    private static List<String> socketParams(Dialect dialect, Path socket) throws InvalidValueException {
        String file = socket.toString();
        if (dialect == Dialect.POSTGRESQL) {
            return List.of("socketFactory=" + PostgresUnixSocketFactory.class.getName(),
                    "socketFactoryArg=" + URLEncoder.encode(file, StandardCharsets.UTF_8));
        }
        if (file.contains("&")) {
            throw invalid("the socket path " + file + " contains '&', which MySQL URLs cannot carry");
        }
        return List.of("socketFactory=" + MariaDbUnixSocketFactory.class.getName(), MariaDbUnixSocketFactory.PARAMETER + "=" + file);
    }

    private static void checkHosts(String hosts) throws InvalidValueException {
        for (String host : hosts.split(",", -1)) {
            String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : cut(host, ':');
            String port = host.substring(name.length());
            if (name.isEmpty() || name.equals("[]") || name.contains(" ")
                    || !(port.isEmpty() || port.matches(":\\d{1,5}"))) {
                throw invalid("bad host '" + host + "'");
            }
        }
    }

    private static String cut(String text, char at) {
        int i = text.indexOf(at);
        return i < 0 ? text : text.substring(0, i);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static InvalidValueException invalid(String reason) {
        return new InvalidValueException("expected " + FORM + " (" + reason + ")");
    }

    /** The URL in ncps's form with the password replaced by {@code ***}, fit for logs and error messages. */
    public String masked() {
        if (dialect == Dialect.SQLITE) {
            return "sqlite:" + sqliteFile().orElseThrow();
        }
        String userInfo = user.map(u -> u + password.map(p -> ":***").orElse("") + "@").orElse("");
        return (dialect == Dialect.POSTGRESQL ? "postgresql" : "mysql") + "://" + userInfo + hostAndDatabase()
                + unixSocket.map(s -> " (socket " + s + ")").orElse("");
    }

    /** The database name (for SQLite, the file name). */
    public String databaseName() {
        String path = dialect == Dialect.SQLITE ? sqliteFile().orElseThrow().toString() : hostAndDatabase();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private String hostAndDatabase() {
        String rest = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
        int query = rest.indexOf('?');
        return query < 0 ? rest : rest.substring(0, query);
    }

    @Override
    public String toString() {
        return jdbcUrl + user.map(u -> " as " + u).orElse("") + password.map(p -> " (password hidden)").orElse("");
    }
}
