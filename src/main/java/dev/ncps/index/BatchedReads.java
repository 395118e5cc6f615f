package dev.ncps.index;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * narinfo hits on PostgreSQL and MySQL/MariaDB, asked for by threads that must not wait (the HTTP I/O threads)
 * and read by one thread of their own, every hash waiting at that moment in one statement. A round trip to a
 * database server costs its backend more CPU than serving the hit costs us, and handing each request to a
 * thread of its own to wait for it costs as much again; requests that arrive while a statement runs share the
 * next one, so under load the database does one statement for many hits, and a lone request is read at once,
 * with no waiting for company (docs/benchmarks.md).
 *
 * <p>Every ask is answered exactly once. Empty means the ordinary read must answer it: no row, a row without
 * text, a failed statement, too many asks waiting, or the reader closed. A failed statement is not retried
 * here: the ordinary read has the retries and the errors a client should see.
 */
final class BatchedReads implements HitReads {
    private static final Logger log = LoggerFactory.getLogger(BatchedReads.class);
    /** The most hashes in one statement; {@link JdbcIndex} pads each statement to a power of two up to this. */
    static final int MAX_BATCH = 64;
    /** Beyond this many asks waiting (the database is slow or away) new ones take the ordinary read at once. */
    static final int MAX_WAITING = 1024;

    /** One statement for a set of distinct hashes: the text of each row that has one. */
    interface Reader {
        Map<String, String> texts(List<String> hashes) throws SQLException;
    }

    private record Ask(String hash, Consumer<Optional<String>> answer) {
    }

    private static final Ask STOP = new Ask("", ignored -> { });

    private final Reader reader;
    private final BlockingQueue<Ask> waiting = new ArrayBlockingQueue<>(MAX_WAITING);
    private final Thread thread;
    private volatile boolean closed;

    BatchedReads(Reader reader) {
        this.reader = reader;
        this.thread = Thread.ofPlatform().name("ncps-narinfo-reads").daemon().start(this::run);
    }

    @Override
    public void ask(String hash, Consumer<Optional<String>> answer) {
        if (closed || !waiting.offer(new Ask(hash, answer))) {
            answer.accept(Optional.empty());
        } else if (closed) {
            // close() may have drained before this ask went in; whoever polls it answers it, and only once.
            answerAllWaiting();
        }
    }

    private void run() {
        ArrayDeque<Ask> batch = new ArrayDeque<>(MAX_BATCH);
        try {
            while (!closed) {
                batch.add(waiting.take());
                waiting.drainTo(batch, MAX_BATCH - 1);
                batch.removeIf(ask -> ask == STOP);
                if (!batch.isEmpty()) read(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            log.error("the narinfo reading thread stopped; narinfo hits take the ordinary path from now on", e);
            throw e;
        } finally {
            // Whatever ended this thread, nobody is left to read: every ask from now on is answered at once.
            closed = true;
            answerAll(batch, Map.of());
            answerAllWaiting();
        }
    }

    private void read(ArrayDeque<Ask> batch) {
        LinkedHashSet<String> hashes = new LinkedHashSet<>();
        for (Ask ask : batch) hashes.add(ask.hash);
        Map<String, String> texts;
        try {
            texts = reader.texts(List.copyOf(hashes));
        } catch (SQLException | RuntimeException e) {
            log.debug("{} narinfos: the batched read failed, taking the ordinary path: {}", hashes.size(), e.getMessage());
            texts = Map.of();
        }
        answerAll(batch, texts);
    }

    /** Answers and removes each ask in turn, so that none is answered twice whatever an answer throws. */
    private static void answerAll(ArrayDeque<Ask> asks, Map<String, String> texts) {
        for (Ask ask; (ask = asks.pollFirst()) != null; ) {
            if (ask == STOP) continue;
            try {
                ask.answer.accept(Optional.ofNullable(texts.get(ask.hash)));
            } catch (RuntimeException e) {
                // One request's failure to answer must not leave the others of its batch unanswered.
                log.error("narinfo {}: answering a batched read failed", ask.hash, e);
            }
        }
    }

    private void answerAllWaiting() {
        ArrayDeque<Ask> left = new ArrayDeque<>();
        waiting.drainTo(left);
        answerAll(left, Map.of());
    }

    @Override
    public void close() {
        closed = true;
        // The reader finishes the statement it is running (it has a network timeout), then stops. No interrupt:
        // a full queue means the reader will not wait for the next ask, and it sees closed before taking more.
        waiting.offer(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answerAllWaiting();
    }
}
