package dev.ncps.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A database with its own user on a test server, addressable the way ncps is configured
 * ({@code postgresql://user:pass@127.0.0.1:port/db}, {@code mysql://…}) and the way JDBC wants it.
 */
public record SqlDatabase(String scheme, String jdbcScheme, String host, int port, String name, String user,
                          String password) {

    /** The ncps-style database URL. */
    public String url() {
        return scheme + "://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + name;
    }

    /** A JDBC URL without credentials; pass {@link #user()} and {@link #password()} separately. */
    public String jdbcUrl() {
        return "jdbc:" + jdbcScheme + "://" + host + ":" + port + "/" + name;
    }

    private static String encode(String part) {
        return URLEncoder.encode(part, StandardCharsets.UTF_8);
    }
}
