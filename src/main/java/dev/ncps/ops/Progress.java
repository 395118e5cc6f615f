package dev.ncps.ops;

import dev.ncps.nix.Sizes;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of one phase of a long command, on stderr. On a terminal, one line redrawn in place: a bar
 * (when the total is known), the count, bytes, rate and ETA. Otherwise (logs, CI, cron) a plain line
 * every {@link #PLAIN_PERIOD}, so a log shows the command is alive without being flooded.
 */
final class Progress implements AutoCloseable {
    static final Duration PLAIN_PERIOD = Duration.ofSeconds(10);
    private static final Duration TERMINAL_PERIOD = Duration.ofMillis(200);
    private static final int BAR_WIDTH = 24;

    private final String phase;
    private final String unit;
    private final long total;
    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;
    private final long started;
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private long lastShown;

    /** {@code total} below 0 means unknown (no bar, no ETA). */
    Progress(String phase, String unit, long total, PrintStream err, boolean terminal, Clock clock) {
        this.phase = phase;
        this.unit = unit;
        this.total = total;
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
        this.started = clock.millis();
        this.lastShown = started;
    }

    void add(long items, long byteCount) {
        count.addAndGet(items);
        bytes.addAndGet(byteCount);
        long now = clock.millis();
        long period = (terminal ? TERMINAL_PERIOD : PLAIN_PERIOD).toMillis();
        synchronized (this) {
            if (now - lastShown < period) return;
            lastShown = now;
            show(now, false);
        }
    }

    long count() {
        return count.get();
    }

    @Override
    public synchronized void close() {
        show(clock.millis(), true);
    }

    private void show(long now, boolean last) {
        String line = line(now);
        if (terminal) {
            err.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
            err.flush();
        } else if (last || count.get() > 0) {
            err.println(line);
        }
    }

    String line(long now) {
        long n = count.get();
        long b = bytes.get();
        double seconds = Math.max(0.001, (now - started) / 1000.0);
        StringBuilder s = new StringBuilder(phase).append(' ');
        if (total >= 0) {
            int filled = total == 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, n * BAR_WIDTH / total);
            s.append('[').append("=".repeat(filled)).append(" ".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(n).append('/').append(total);
        } else {
            s.append(n);
        }
        s.append(' ').append(unit);
        if (b > 0) {
            s.append(", ").append(Sizes.human(b)).append(", ").append(Sizes.human((long) (b / seconds))).append("/s");
        } else {
            s.append(", ").append(Math.round(n / seconds)).append(' ').append(unit).append("/s");
        }
        if (total > 0 && n > 0 && n < total) {
            long eta = (long) ((total - n) * (seconds / n));
            s.append(", ETA ").append(eta / 3600 > 0 ? eta / 3600 + ":" : "")
                    .append(String.format(eta / 3600 > 0 ? "%02d:%02d" : "%d:%02d", eta / 60 % 60, eta % 60));
        }
        return s.toString();
    }
}
