package dev.ncps.config;

import java.util.List;
import java.util.Optional;

/**
 * @param getToken bearer token required on GET/HEAD, when set
 * @param trustedUploadKeys Nix {@code name:base64} public keys accepted on uploads
 */
public record AuthConfig(Optional<String> getToken, boolean allowPut, boolean allowDelete,
                         boolean requireTrustedSignature, List<String> trustedUploadKeys) {
    public AuthConfig {
        trustedUploadKeys = List.copyOf(trustedUploadKeys);
    }

    @Override
    public String toString() {
        return "AuthConfig[getToken=" + getToken.map(t -> "(hidden)").orElse("(none)") + ", allowPut=" + allowPut
                + ", allowDelete=" + allowDelete + ", requireTrustedSignature=" + requireTrustedSignature
                + ", trustedUploadKeys=" + trustedUploadKeys + "]";
    }
}
