package dev.ncps.config;

import dev.ncps.http.HttpSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code ncps serve} needs, validated: every value here is usable as is.
 *
 * @param hostname the cache's host name (names a generated signing key)
 * @param http the HTTP server's own settings (listen address, tokens, allowed verbs, drain timeout)
 * @param tempPath directory for downloads in progress
 * @param downloadPollTimeout how long a request waits for another instance's download
 * @param downloadTimeAllowance time a NAR download may take on top of its size at the minimum throughput
 * @param downloadMinThroughput bytes per second a NAR download must average (with the allowance: its deadline)
 * @param narInfoMemoryBytes heap for narinfos held in memory (0: none)
 * @param tracing whether and where OpenTelemetry traces go
 */
public record ServeConfig(String hostname, ServerConfig server, HttpSettings http, UpstreamConfig upstream, StorageConfig storage,
                          DatabaseConfig database, Path tempPath, LockConfig lock, LruConfig lru,
                          SigningConfig signing, AuthConfig auth, Duration downloadPollTimeout,
                          Duration downloadTimeAllowance, long downloadMinThroughput, long narInfoMemoryBytes,
                          TracingConfig tracing) {}
