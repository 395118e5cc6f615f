package dev.ncps.http;

/**
 * Who may read and who may write. Reads need the read token when one is set; writes (PUT, DELETE, and POST to
 * pin) need the upload token, or the read token when only that is set, and are open only when no token is set at
 * all. The upload token also reads: Nix takes credentials from a netrc file, one password per host, and
 * {@code nix copy --to} asks which paths exist before it uploads.
 */
final class Access {
    private final AccessToken read;
    private final AccessToken write;

    /** Either token may be null or empty for "not set". */
    Access(String readToken, String uploadToken) {
        this.read = tokenOrNull(readToken);
        AccessToken upload = tokenOrNull(uploadToken);
        this.write = upload != null ? upload : read;
    }

    boolean mayRead(String authorizationHeader) {
        return read == null || read.accepts(authorizationHeader) || (write != read && write.accepts(authorizationHeader));
    }

    boolean mayWrite(String authorizationHeader) {
        return write == null || write.accepts(authorizationHeader);
    }

    private static AccessToken tokenOrNull(String token) {
        return token == null || token.isEmpty() ? null : new AccessToken(token);
    }
}
