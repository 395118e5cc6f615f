package dev.ncps.app;

import dev.ncps.index.Index;
import dev.ncps.index.IndexException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gives narinfo rows stored before their served text was kept with them (migration V2) that text, in the
 * background: one short write transaction of {@link #BATCH} rows, then a pause, so requests and downloads
 * keep the database (and SQLite's single writer) almost to themselves. Resumes where it stopped after a
 * restart; a database that has nothing left to fill costs one read of a config row at start.
 */
final class NarInfoTextFill {
    private static final Logger log = LoggerFactory.getLogger(NarInfoTextFill.class);

    static final int BATCH = 100;
    static final Duration FIRST = Duration.ofSeconds(10);
    static final Duration PAUSE = Duration.ofMillis(50);
    /** After a batch that only visited rows which have their text (no write; SQLite's writer was held for a read). */
    static final Duration SHORT_PAUSE = Duration.ofMillis(5);
    static final Duration AFTER_FAILURE = Duration.ofMinutes(1);

    private final Index index;
    private final ScheduledExecutorService scheduler;
    private long filled;

    private NarInfoTextFill(Index index, ScheduledExecutorService scheduler) {
        this.index = index;
        this.scheduler = scheduler;
    }

    static void start(Index index, ScheduledExecutorService scheduler) {
        new NarInfoTextFill(index, scheduler).next(FIRST);
    }

    private void next(Duration delay) {
        try {
            scheduler.schedule(this::batch, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // serve is stopping; the next start resumes from the stored position
        }
    }

    private void batch() {
        try {
            Index.TextFill batch = index.fillNarInfoTexts(BATCH);
            if (filled == 0 && batch.filled() > 0) log.info("giving narinfos written by an older ncps their stored text, {} rows at a time", BATCH);
            filled += batch.filled();
            if (batch.more()) {
                next(batch.filled() > 0 ? PAUSE : SHORT_PAUSE);
            } else if (filled > 0) {
                log.info("every narinfo row has its stored text ({} filled)", filled);
            }
        } catch (IndexException e) {
            log.warn("filling the stored text of older narinfos paused for {}: {}", AFTER_FAILURE, e.getMessage());
            next(AFTER_FAILURE);
        }
    }
}
