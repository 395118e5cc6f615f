package dev.ncps.config;

import dev.ncps.nix.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * Who may read and write, and which uploads ncps signs.
 *
 * @param getToken token required on GET/HEAD, when set
 * @param uploadToken token required on PUT/DELETE, when set; without it writes use {@code getToken}
 * @param allowUploadOverwrite whether an upload may replace a narinfo already held
 * @param maxUploadSize the largest NAR file an upload may send, in bytes
 * @param trustedUploadKeys public keys accepted on uploads
 */
public record AuthConfig(Optional<String> getToken, Optional<String> uploadToken, boolean allowPut, boolean allowDelete,
                         boolean allowUploadOverwrite, long maxUploadSize, boolean requireTrustedSignature,
                         List<PublicKey> trustedUploadKeys) {
    public AuthConfig {
        trustedUploadKeys = List.copyOf(trustedUploadKeys);
    }

    /** The token writes need: the upload token, else the read token, else none (writes are open). */
    public Optional<String> writeToken() {
        return uploadToken.or(() -> getToken);
    }

    @Override
    public String toString() {
        return "AuthConfig[getToken=" + hidden(getToken) + ", uploadToken=" + hidden(uploadToken) + ", allowPut=" + allowPut
                + ", allowDelete=" + allowDelete + ", allowUploadOverwrite=" + allowUploadOverwrite
                + ", maxUploadSize=" + maxUploadSize + ", requireTrustedSignature=" + requireTrustedSignature
                + ", trustedUploadKeys=" + trustedUploadKeys + "]";
    }

    private static String hidden(Optional<String> token) {
        return token.map(t -> "(hidden)").orElse("(none)");
    }
}
