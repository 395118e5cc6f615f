package dev.ncps.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * narinfo hits read on the thread that parsed the request, for SQLite: a read in WAL mode never waits for a writer,
 * so it can run where a hand-off to another thread would cost more than the read (docs/benchmarks.md). A few
 * read-only connections of their own, outside the pools, with no busy timeout: a caller gets an answer at once or
 * learns that it must take the ordinary path (no connection free, the database busy, any error).
 */
final class InlineReads implements HitReads {
    private static final Logger log = LoggerFactory.getLogger(InlineReads.class);
    /** One per core is what the I/O threads can use at once; beyond that a request takes the ordinary path. */
    static final int CONNECTIONS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final String jdbcUrl;
    private final BlockingQueue<Reader> idle = new ArrayBlockingQueue<>(CONNECTIONS);
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    InlineReads(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /**
     * A connection and its prepared query, kept together: SQLite compiles a statement each time it is prepared, and
     * preparing it for every read was about a quarter of the CPU of a hit (docs/benchmarks.md).
     */
    private record Reader(Connection connection, PreparedStatement narInfoText) {
    }

    @Override
    public void ask(String hash, Consumer<Optional<String>> answer) {
        answer.accept(narInfoText(hash));
    }

    /** The row's narinfo text; empty when there is none, when it has no text yet, or when it could not be read at once. */
    private Optional<String> narInfoText(String hash) {
        Reader c = idle.poll();
        if (c == null && (c = openOne()) == null) return Optional.empty();
        boolean healthy = false;
        try {
            PreparedStatement s = c.narInfoText;
            s.setString(1, hash);
            try (ResultSet rows = s.executeQuery()) {
                Optional<String> text = rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
                healthy = true;
                return text;
            }
        } catch (SQLException e) {
            log.debug("narinfo {}: inline read failed, taking the ordinary path: {}", hash, e.getMessage());
            return Optional.empty();
        } finally {
            if (healthy && !closed && idle.offer(c)) {
                c = null;
            }
            if (c != null) discard(c);
        }
    }

    private Reader openOne() {
        if (closed || open.incrementAndGet() > CONNECTIONS) {
            open.decrementAndGet();
            return null;
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(0);
        Connection connection = null;
        try {
            connection = config.createConnection(jdbcUrl);
            return new Reader(connection, connection.prepareStatement(JdbcIndex.narInfoByHash(JdbcIndex.NARINFO_TEXT)));
        } catch (SQLException e) {
            if (connection != null) {
                close(connection);
            }
            open.decrementAndGet();
            log.debug("cannot open an inline SQLite reader: {}", e.getMessage());
            return null;
        }
    }

    private void discard(Reader c) {
        open.decrementAndGet();
        close(c.connection);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing an inline SQLite reader: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Reader c; (c = idle.poll()) != null; ) discard(c);
    }
}
