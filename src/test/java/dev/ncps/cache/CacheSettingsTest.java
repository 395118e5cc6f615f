package dev.ncps.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CacheSettingsTest {
    private static CacheSettings settings(Duration allowance, long bytesPerSecond) {
        return new CacheSettings(Path.of("/tmp"), 1, Duration.ofSeconds(1), allowance, bytesPerSecond);
    }

    @Test
    void aDownloadMayTakeTheAllowancePlusItsSizeAtTheMinimumThroughput() {
        CacheSettings defaults = settings(Duration.ofMinutes(5), 32 * 1024);

        assertThat(defaults.downloadDeadline(64 * 1024)).isEqualTo(Duration.ofMinutes(5).plusSeconds(3));
        assertThat(defaults.downloadDeadline(1L << 30)).isEqualTo(Duration.ofMinutes(5).plusSeconds(32 * 1024 + 1));
    }

    @Test
    void anEnormousSizeGivesALongDeadlineNotAnOverflow() {
        Duration deadline = settings(Duration.ofMinutes(5), 1).downloadDeadline(Long.MAX_VALUE);

        assertThat(deadline).isEqualTo(Duration.ofDays(365L * 100));
        assertThat(deadline.toNanos()).isPositive();
    }
}
