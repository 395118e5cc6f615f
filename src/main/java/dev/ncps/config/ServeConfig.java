package dev.ncps.config;

import dev.ncps.cache.CacheSettings;
import dev.ncps.cache.UploadSettings;
import dev.ncps.http.HttpSettings;
import java.time.Duration;

/**
 * Everything {@code ncps serve} needs, validated: every value here is usable as is.
 *
 * @param hostname the cache's host name (names a generated signing key)
 * @param http the HTTP server's own settings (listen address, tokens, allowed verbs, drain timeout)
 * @param downloadPollTimeout how long a request waits for another instance's download
 * @param uploads which uploads are accepted (trusted keys, overwrite, size)
 * @param cache the cache core's own settings (temp directory, narinfo memory, download deadlines)
 * @param tracing whether and where OpenTelemetry traces go
 */
public record ServeConfig(String hostname, ServerConfig server, HttpSettings http, UpstreamConfig upstream, StorageConfig storage,
                          DatabaseConfig database, CacheSettings cache, LockConfig lock, LruConfig lru,
                          SigningConfig signing, UploadSettings uploads, Duration downloadPollTimeout, TracingConfig tracing) {}
