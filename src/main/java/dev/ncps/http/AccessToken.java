package dev.ncps.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * One token check ({@code --cache-get-token}, {@code --cache-upload-token}). The token is accepted as {@code Authorization: Bearer <token>}
 * (as the Go ncps accepts it) and as the password of Basic authentication with any user name, because
 * that is what a Nix client sends from its {@code netrc-file}. Both sides are hashed before the
 * constant-time comparison so that neither the token's content nor its length leaks through timing.
 */
final class AccessToken {
    private final byte[] expectedDigest;

    AccessToken(String token) {
        this.expectedDigest = sha256(token);
    }

    boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null) {
            return false;
        }
        String presented;
        if (authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorizationHeader.substring(7).trim();
        } else if (authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            presented = basicPassword(authorizationHeader.substring(6).trim());
            if (presented == null) {
                return false;
            }
        } else {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(presented));
    }

    private static String basicPassword(String credentials) {
        try {
            String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
