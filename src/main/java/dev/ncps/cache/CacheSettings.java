package dev.ncps.cache;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Tunables of the cache core, built by the config loader.
 *
 * @param tempDir                     where downloads in progress are written; serve narrows the configured
 *                                    directory to one of its own at startup ({@link #withTempDir})
 * @param narInfoMemoBytes            heap for narinfos held in memory ({@link NarInfoMemo})
 * @param downloadTimeAllowance       time every download may take on top of what its size needs
 * @param downloadMinBytesPerSecond   the slowest throughput a download is allowed on average
 */
public record CacheSettings(Path tempDir, long narInfoMemoBytes, Duration narInfoMemoTtl,
                            Duration downloadTimeAllowance, long downloadMinBytesPerSecond) {

    /**
     * How long serve keeps a signed narinfo text in memory (its size bound is cache.narinfo-memory;
     * docs/design/architecture.md, "Hits").
     */
    public static final Duration NARINFO_MEMO_TTL = Duration.ofSeconds(60);

    /** Any longer deadline is as good as none, and its nanoseconds would not fit a long. */
    private static final Duration LONGEST = Duration.ofDays(365L * 100);

    public CacheSettings {
        if (downloadTimeAllowance.isNegative() || downloadMinBytesPerSecond <= 0) {
            throw new IllegalArgumentException("download allowance must not be negative and throughput must be positive");
        }
    }

    public CacheSettings withTempDir(Path dir) {
        return new CacheSettings(dir, narInfoMemoBytes, narInfoMemoTtl, downloadTimeAllowance, downloadMinBytesPerSecond);
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
