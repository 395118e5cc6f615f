package dev.ncps.testing;

import dev.ncps.config.ConfigException;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Dialect;

import java.net.URLEncoder;
import java.nio.file.Path;
import java.util.Optional;
import java.nio.charset.StandardCharsets;

/**
 * A database with its own user on a test server, addressable the way ncps is configured
 * ({@code postgresql://user:pass@127.0.0.1:port/db}, {@code mysql://…}) and the way JDBC wants it.
 */
public record SqlDatabase(String scheme, String jdbcScheme, String host, int port, String name, String user,
                          String password, Optional<Path> socket) {

    public SqlDatabase(String scheme, String jdbcScheme, String host, int port, String name, String user, String password) {
        this(scheme, jdbcScheme, host, port, name, user, password, Optional.empty());
    }

    /**
     * The same database reached through the server's Unix socket: for PostgreSQL the socket directory, for
     * MariaDB the socket file, as the Go ncps's {@code postgres+unix}/{@code mysql+unix} URLs name them (the
     * PostgreSQL port names the socket file in the directory).
     */
    public SqlDatabase viaSocket(Path socket) {
        return new SqlDatabase(scheme, jdbcScheme, host, port, name, user, password, Optional.of(socket));
    }

    /** The index dialect, as ncps reads it from {@link #url()}. */
    public Dialect dialect() {
        return parsedUrl().dialect();
    }

    /** The ncps-style database URL. */
    public String url() {
        String credentials = encode(user) + ":" + encode(password) + "@";
        return socket.map(s -> scheme.equals("mysql") ? "mysql+unix://" + credentials + s + "/" + name
                        : "postgres+unix://" + credentials + s + "/" + name + "?port=" + port)
                .orElse(scheme + "://" + credentials + host + ":" + port + "/" + name);
    }

    /** A JDBC URL without credentials; pass {@link #user()} and {@link #password()} separately. */
    public String jdbcUrl() {
        if (socket.isPresent()) {
            return parsedUrl().jdbcUrl();
        }
        return "jdbc:" + jdbcScheme + "://" + host + ":" + port + "/" + name;
    }

    private DatabaseUrl parsedUrl() {
        try {
            return DatabaseUrl.parseFlag("the test database", url());
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
