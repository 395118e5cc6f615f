package dev.ncps.cluster;

import java.time.Duration;

/**
 * How instances sharing a lock backend coordinate ({@link ClusterCoordinator}).
 *
 * @param downloadTtl lease of a download, renewed while it progresses ({@code cache.lock.download-lock-ttl})
 * @param exclusiveTtl lease of an exclusive task such as LRU ({@code cache.lock.lru-lock-ttl})
 * @param pollTimeout how long a narinfo miss waits at least for another instance's lookup
 *                    ({@code cache.download.poll-timeout}); the download lease bounds it otherwise, as in Go:
 *                    the wait is the longer of the two
 */
public record ClusterSettings(Duration downloadTtl, Duration exclusiveTtl, Duration pollTimeout) {}
