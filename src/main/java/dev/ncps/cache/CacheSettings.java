package dev.ncps.cache;

import java.nio.file.Path;
import java.time.Duration;

/** Tunables of the cache core. */
public record CacheSettings(Path tempDir, int narInfoMemoEntries, Duration narInfoMemoTtl) {}
