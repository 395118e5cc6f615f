package dev.ncps.cache;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Tunables of the cache core.
 *
 * @param downloadTimeAllowance       time every download may take on top of what its size needs
 * @param downloadMinBytesPerSecond   the slowest throughput a download is allowed on average
 */
public record CacheSettings(Path tempDir, int narInfoMemoEntries, Duration narInfoMemoTtl,
                            Duration downloadTimeAllowance, long downloadMinBytesPerSecond) {

    /** Bounds of the in-memory copy of signed narinfo texts serve keeps (docs/design/architecture.md, "Hits"). */
    public static final int NARINFO_MEMO_ENTRIES = 50_000;
    public static final Duration NARINFO_MEMO_TTL = Duration.ofSeconds(60);

    /** Any longer deadline is as good as none, and its nanoseconds would not fit a long. */
    private static final Duration LONGEST = Duration.ofDays(365L * 100);

    public CacheSettings {
        if (downloadTimeAllowance.isNegative() || downloadMinBytesPerSecond <= 0) {
            throw new IllegalArgumentException("download allowance must not be negative and throughput must be positive");
        }
    }

    /**
     * How long a download of at most {@code bytes} may take in all: the allowance plus the bytes at the
     * minimum throughput. An upstream that drips a byte just before each idle timeout cannot hold a
     * download, and its cluster lease, for longer than that.
     */
    Duration downloadDeadline(long bytes) {
        Duration deadline = downloadTimeAllowance.plusSeconds(Math.min(bytes / downloadMinBytesPerSecond, LONGEST.toSeconds()) + 1);
        return deadline.compareTo(LONGEST) > 0 ? LONGEST : deadline;
    }
}
