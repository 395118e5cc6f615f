package dev.ncps.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ProgressTest {
    /** A clock the test moves by hand. */
    private static final class Manual extends Clock {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final Manual clock = new Manual();

    @Test
    void aTerminalGetsABarWithCountBytesRateAndEtaRedrawnInPlace() {
        try (Progress progress = new Progress("copying", "objects", 100, err, true, clock)) {
            clock.now = clock.now.plusSeconds(10);
            progress.add(25, 25L * 1024 * 1024);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\rcopying [======                  ] 25/100 objects, 25.0 MiB, 2.5 MiB/s, ETA 0:30\u001b[K");
        assertThat(text).endsWith("\n");
    }

    @Test
    void elsewhereAPlainLineEveryTenSecondsAndOneAtTheEnd() {
        try (Progress progress = new Progress("checking", "rows", -1, err, false, clock)) {
            progress.add(1, 0);
            clock.now = clock.now.plus(Progress.PLAIN_PERIOD).plus(Duration.ofSeconds(1));
            progress.add(10, 0);
            progress.add(10, 0);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList())
                .containsExactly("checking 11 rows, 1 rows/s", "checking 21 rows, 2 rows/s");
    }
}
