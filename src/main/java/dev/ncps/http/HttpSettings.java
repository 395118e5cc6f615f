package dev.ncps.http;

import java.time.Duration;

/**
 * What the HTTP layer needs from the configuration. {@code getToken} is null when GET needs no token;
 * {@code uploadToken} is null when writes need the read token (or none, when that is null too).
 * {@code drainTimeout} bounds how long a SIGTERM waits for requests in flight. With
 * {@code transparentCompression}, uncompressed NARs go out zstd- or gzip-encoded to clients that accept it.
 */
public record HttpSettings(String host, int port, String hostname, boolean allowPut, boolean allowDelete,
                           String getToken, String uploadToken, Duration drainTimeout, boolean transparentCompression) {}
