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
        long seconds = bytes / downloadMinBytesPerSecond + 1;
        return downloadTimeAllowance.plusSeconds(Math.min(seconds, Long.MAX_VALUE / 2_000_000_000L));
    }
}
