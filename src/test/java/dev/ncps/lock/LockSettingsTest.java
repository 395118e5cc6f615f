package dev.ncps.lock;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockSettingsTest {
    private static final LockSettings NO_JITTER =
            LockSettings.DEFAULTS.withRetry(3, Duration.ofMillis(100), Duration.ofSeconds(2), false);

    @Test
    void defaultsAreThoseOfTheGoNcps() {
        assertThat(LockSettings.DEFAULTS).isEqualTo(new LockSettings("ncps:lock:", 3, Duration.ofMillis(100),
                Duration.ofSeconds(2), true, false));
    }

    @Test
    void delayDoublesFromTheInitialDelayUntilTheCap() {
        assertThat(NO_JITTER.backoff(1, () -> 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(NO_JITTER.backoff(2, () -> 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(NO_JITTER.backoff(3, () -> 0)).isEqualTo(Duration.ofMillis(400));
        assertThat(NO_JITTER.backoff(5, () -> 0)).isEqualTo(Duration.ofMillis(1600));
        assertThat(NO_JITTER.backoff(6, () -> 0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void hugeAttemptNumbersStayAtTheCapInsteadOfOverflowing() {
        LockSettings longest = LockSettings.DEFAULTS.withRetry(3, Duration.ofHours(1), Duration.ofHours(1), false);
        for (int attempt : new int[] {63, 64, 65, 1000, Integer.MAX_VALUE}) {
            assertThat(NO_JITTER.backoff(attempt, () -> 0)).isEqualTo(Duration.ofSeconds(2));
            assertThat(longest.backoff(attempt, () -> 0)).isEqualTo(Duration.ofHours(1));
        }
        LockSettings tiny = LockSettings.DEFAULTS.withRetry(3, Duration.ofNanos(1), Duration.ofHours(1), false);
        assertThat(tiny.backoff(40, () -> 0)).isEqualTo(Duration.ofNanos(1L << 39));
        assertThat(tiny.backoff(62, () -> 0)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void jitterAddsUpToHalfTheDelay() {
        LockSettings jitter = NO_JITTER.withRetry(3, Duration.ofMillis(100), Duration.ofSeconds(2), true);
        assertThat(jitter.backoff(1, () -> 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(jitter.backoff(1, () -> 0.5)).isEqualTo(Duration.ofMillis(125));
        assertThat(jitter.backoff(6, () -> 0.5)).isEqualTo(Duration.ofMillis(2500));
        assertThat(jitter.backoff(6, () -> Math.nextDown(1.0))).isLessThan(Duration.ofMillis(3000));
        assertThatThrownBy(() -> jitter.backoff(1, () -> 1.0)).hasMessageContaining("[0, 1)");
    }

    @Property
    void everyDelayLiesBetweenTheCappedExponentialAndOneAndAHalfTimesIt(
            @ForAll @IntRange(min = 1) int attempt, @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double r) {
        LockSettings jitter = NO_JITTER.withRetry(3, Duration.ofMillis(100), Duration.ofSeconds(2), true);
        Duration base = NO_JITTER.backoff(attempt, () -> 0);
        Duration delay = jitter.backoff(attempt, () -> r);
        assertThat(base).isBetween(Duration.ofMillis(100), Duration.ofSeconds(2));
        assertThat(delay).isBetween(base, base.plus(base.dividedBy(2)));
    }

    @Test
    void invalidSettingsNameTheirKey() {
        assertThatThrownBy(() -> LockSettings.DEFAULTS.withRetry(0, Duration.ofMillis(1), Duration.ofMillis(1), true))
                .hasMessageContaining("cache.lock.retry.max-attempts");
        assertThatThrownBy(() -> LockSettings.DEFAULTS.withRetry(3, Duration.ofMillis(-1), Duration.ofMillis(1), true))
                .hasMessageContaining("cache.lock.retry.initial-delay");
        assertThatThrownBy(() -> LockSettings.DEFAULTS.withRetry(3, Duration.ofSeconds(2), Duration.ofSeconds(1), true))
                .hasMessageContaining("cache.lock.retry.max-delay");
        assertThatThrownBy(() -> LockSettings.DEFAULTS.withRetry(3, Duration.ofMillis(1), Duration.ofDays(2), true))
                .hasMessageContaining("cache.lock.retry.max-delay");
        assertThatThrownBy(() -> NO_JITTER.backoff(0, () -> 0)).hasMessageContaining("from 1");
    }
}
