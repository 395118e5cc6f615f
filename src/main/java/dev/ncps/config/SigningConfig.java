package dev.ncps.config;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * @param secretKeyPath file with the Nix secret key; empty means the key kept in the database
 * @param signNarinfo whether served narinfos carry this cache's signature
 * @param previousKey during a key rotation, the previous key that also signs until {@link Previous#until()}
 */
public record SigningConfig(Optional<Path> secretKeyPath, boolean signNarinfo, Optional<Previous> previousKey) {
    /** The previous key's file and when it stops signing. */
    public record Previous(Path secretKeyPath, Instant until) {}
}
