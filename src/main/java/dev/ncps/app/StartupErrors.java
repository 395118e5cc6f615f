package dev.ncps.app;

import dev.ncps.cli.StartupFailure;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.config.HostPort;
import dev.ncps.config.ServeConfig;
import dev.ncps.index.Dialect;
import dev.ncps.index.GoDatabaseException;
import dev.ncps.lock.LockException;

import java.net.BindException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Turns what fails while {@code ncps serve} starts into one line for the operator: the option, its value, what is
 * wrong and how to fix it. A failure it does not recognise is returned unchanged (and logged as it is).
 */
final class StartupErrors {
    private static final String WRITABLE_FIX = "give the user ncps runs as write access to it (chown/chmod) or choose"
            + " another directory";

    private StartupErrors() {}

    static Exception listen(HostPort addr, Exception e) {
        return find(e, BindException.class).<Exception>map(bind -> {
            String problem = String.valueOf(bind.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (problem.contains("in use")) {
                return new StartupFailure("--server-addr " + addr + ": the port is already in use by another program"
                        + " (another ncps?); stop it or choose another address, e.g. --server-addr :" + other(addr.port()), e);
            }
            return new StartupFailure("--server-addr " + addr + ": cannot listen there (" + problem + "); choose a local"
                    + " address and a port from 1024 up, e.g. --server-addr :8501", e);
        }).orElse(e);
    }

    private static int other(int port) {
        return port == 0 || port == 65535 ? 8501 : port + 1;
    }

    static Exception temp(Path path, Exception e) {
        return new StartupFailure("--cache-temp-path " + path + ": cannot write there (" + fileProblem(e) + "); "
                + WRITABLE_FIX, e);
    }

    static Exception localStorage(Path path, Exception e) {
        return new StartupFailure("--cache-storage-local " + path + ": cannot write there (" + fileProblem(e) + "); "
                + WRITABLE_FIX, e);
    }

    static Exception s3(String bucket, Exception e) {
        return new StartupFailure("--cache-storage-s3-bucket " + bucket + ": " + oneLine(e.getMessage())
                + "; check --cache-storage-s3-endpoint, the bucket name, --cache-storage-s3-region and the credentials", e);
    }

    /** Redis unreachable at startup (without degraded mode): the lock backend's own message says what to set. */
    static Exception lockBackend(ServeConfig config, Exception e) {
        return config.lock().redis().filter(redis -> e instanceof LockException)
                .<Exception>map(redis -> new StartupFailure("--cache-redis-addrs " + String.join(",", redis.addrs()) + ": "
                        + oneLine(e.getMessage()) + "; start Redis or fix the address", e))
                .orElse(e);
    }

    static StartupFailure secretKeyUnreadable(Path file, Exception e) {
        return new StartupFailure("--cache-secret-key-path " + file + ": cannot read the key file (" + fileProblem(e)
                + "); point it at a file readable by the user ncps runs as", e);
    }

    static StartupFailure secretKeyInvalid(Path file, Exception e) {
        return new StartupFailure("--cache-secret-key-path " + file + ": the file does not hold a Nix secret key ("
                + oneLine(e.getMessage()) + "); create one with 'ncps keygen <name>' or"
                + " 'nix-store --generate-binary-cache-key <name> <secret-file> <public-file>'", e);
    }

    /**
     * The database failures an operator meets at startup, told apart by SQL state (PostgreSQL) or error code
     * (MariaDB/MySQL): unreachable, wrong credentials, missing database, missing privilege.
     */
    static Exception database(DatabaseUrl url, Exception e) {
        String at = "--cache-database-url " + url.masked() + ": ";
        if (e instanceof GoDatabaseException) {
            return new StartupFailure(at + e.getMessage(), e);
        }
        Optional<SQLException> sql = find(e, SQLException.class);
        String state = sql.map(SQLException::getSQLState).orElse("");
        int code = sql.map(SQLException::getErrorCode).orElse(0);
        String user = url.user().orElse("");
        String db = url.databaseName();
        boolean mysql = url.dialect() == Dialect.MYSQL;
        if (find(e, ConnectException.class).isPresent() || find(e, UnknownHostException.class).isPresent()
                || state.startsWith("08")) {
            return new StartupFailure(at + "the database server cannot be reached (" + oneLine(rootMessage(e))
                    + "); start it or fix the host and port in the URL", e);
        }
        if (state.startsWith("28")) {
            return new StartupFailure(at + "the server refused user '" + user + "' (" + serverMessage(sql.get())
                    + "); fix the user and password in the URL", e);
        }
        if (state.equals("3D000") || code == 1049) {
            String create = mysql ? "CREATE DATABASE " + db + "; GRANT ALL PRIVILEGES ON " + db + ".* TO '" + user + "'@'%'"
                    : "CREATE DATABASE " + db + " OWNER " + user;
            return new StartupFailure(at + "database '" + db + "' does not exist; create it: " + create, e);
        }
        if (state.equals("42501") || code == 1044 || code == 1142) {
            String grant = mysql ? "GRANT ALL PRIVILEGES ON " + db + ".* TO '" + user + "'@'%'"
                    : "ALTER DATABASE " + db + " OWNER TO " + user + " (or GRANT USAGE, CREATE ON SCHEMA public TO " + user + ")";
            return new StartupFailure(at + "user '" + user + "' lacks a privilege ncps needs to create and use its tables ("
                    + serverMessage(sql.get()) + "); as an administrator run: " + grant, e);
        }
        return url.dialect() == Dialect.SQLITE
                ? new StartupFailure(at + "cannot write there (" + fileProblem(e) + "); " + WRITABLE_FIX, e)
                : e;
    }

    /** The server's own words, first line only, without PostgreSQL's "ERROR: " prefix. */
    private static String serverMessage(SQLException e) {
        // PostgreSQL prefixes the severity, MariaDB Connector/J the connection number.
        return oneLine(String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                .replaceFirst("^(FATAL|ERROR): ", "").replaceFirst("^\\(conn=\\d+\\) ", ""));
    }

    private static String fileProblem(Throwable e) {
        Throwable root = root(e);
        return switch (root) {
            case AccessDeniedException denied -> "permission denied on " + denied.getFile();
            case NoSuchFileException missing -> "no such file or directory: " + missing.getFile();
            case FileSystemException fs when fs.getReason() != null -> fs.getReason().toLowerCase(java.util.Locale.ROOT)
                    + " on " + fs.getFile();
            default -> oneLine(e.getMessage());
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable root = root(e);
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static Throwable root(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
