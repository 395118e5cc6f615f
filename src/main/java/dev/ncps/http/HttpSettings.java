package dev.ncps.http;

import java.time.Duration;

/**
 * The HTTP server's settings, built by the config loader. {@code host} is null to listen on every interface.
 * {@code getToken} is null when GET needs no token; {@code uploadToken} is null when writes need the read token
 * (or none, when that is null too). {@code drainTimeout} bounds how long a SIGTERM waits for requests in flight.
 * With {@code transparentCompression}, uncompressed NARs go out zstd- or gzip-encoded to clients that accept it.
 */
public record HttpSettings(String host, int port, String hostname, boolean allowPut, boolean allowDelete,
                           String getToken, String uploadToken, Duration drainTimeout, boolean transparentCompression) {

    /** The token writes need: the upload token, else the read token, else null (writes are open). */
    public String writeToken() {
        return uploadToken != null ? uploadToken : getToken;
    }

    @Override
    public String toString() {
        return "HttpSettings[host=" + host + ", port=" + port + ", hostname=" + hostname + ", allowPut=" + allowPut
                + ", allowDelete=" + allowDelete + ", getToken=" + hidden(getToken) + ", uploadToken=" + hidden(uploadToken)
                + ", drainTimeout=" + drainTimeout + ", transparentCompression=" + transparentCompression + "]";
    }

    private static String hidden(String token) {
        return token == null ? "(none)" : "(hidden)";
    }
}
