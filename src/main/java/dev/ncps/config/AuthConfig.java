package dev.ncps.config;

import dev.ncps.nix.PublicKey;
import java.util.List;

/**
 * Which uploads ncps accepts and signs (who may read and write is in {@link ServeConfig#http()}).
 *
 * @param allowUploadOverwrite whether an upload may replace a narinfo already held
 * @param maxUploadSize the largest NAR file an upload may send, in bytes
 * @param trustedUploadKeys public keys accepted on uploads
 */
public record AuthConfig(boolean allowUploadOverwrite, long maxUploadSize, boolean requireTrustedSignature,
                         List<PublicKey> trustedUploadKeys) {
    public AuthConfig {
        trustedUploadKeys = List.copyOf(trustedUploadKeys);
    }
}
