package dev.ncps.config;

import dev.ncps.cache.CacheSettings;
import dev.ncps.cache.SigningSettings;
import dev.ncps.cache.UploadSettings;
import dev.ncps.cluster.ClusterSettings;
import dev.ncps.http.HttpSettings;
import dev.ncps.lock.LockBackendSettings;
import dev.ncps.lru.LruSettings;
import dev.ncps.tracing.TracingSettings;

/**
 * Everything {@code ncps serve} needs, validated: every value here is usable as is.
 *
 * @param hostname the cache's host name (names a generated signing key)
 * @param http the HTTP server's own settings (listen address, tokens, allowed verbs, drain timeout)
 * @param lock which lock backend coordinates instances, and its settings
 * @param cluster leases and waits of the coordination between instances (used only with a shared lock backend)
 * @param uploads which uploads are accepted (trusted keys, overwrite, size)
 * @param cache the cache core's own settings (temp directory, narinfo memory, download deadlines)
 * @param tracing whether and where OpenTelemetry traces go
 */
public record ServeConfig(String hostname, ServerConfig server, HttpSettings http, UpstreamConfig upstream, StorageConfig storage,
                          DatabaseConfig database, CacheSettings cache, LockBackendSettings lock, ClusterSettings cluster,
                          LruSettings lru, SigningSettings signing, UploadSettings uploads, TracingSettings tracing) {}
