package dev.ncps.cache;

import dev.ncps.nix.PublicKey;
import java.util.List;

/**
 * Which uploads {@link Uploads} accepts, built by the config loader.
 *
 * @param requireTrustedSignature whether an uploaded narinfo or build trace must carry a signature of a trusted key
 * @param trustedKeys             keys whose signature makes an upload trusted: the configured upload keys and every
 *                                upstream's keys (ncps already signs what they sign); ncps's own key is always trusted
 * @param allowOverwrite          whether an upload may replace a narinfo already held
 * @param maxNarSize              the largest NAR file an upload may send, in bytes
 */
public record UploadSettings(boolean requireTrustedSignature, List<PublicKey> trustedKeys, boolean allowOverwrite,
                             long maxNarSize) {
    public UploadSettings {
        trustedKeys = List.copyOf(trustedKeys);
    }
}
