package dev.ncps.cache;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Which keys sign the narinfos ncps serves: the {@code cache.secret-key-path}, {@code cache.sign-narinfo} and
 * key rotation options. The keys themselves are read at startup, into a {@link Signer}.
 *
 * @param secretKeyPath file with the Nix secret key; empty means the key kept in the database
 * @param signNarinfo whether served narinfos carry this cache's signature
 * @param previousKey during a key rotation, the previous key that also signs until {@link Previous#until()}
 */
public record SigningSettings(Optional<Path> secretKeyPath, boolean signNarinfo, Optional<Previous> previousKey) {
    /**
     * The previous key's file ({@code cache.previous-secret-key-path}) and when it stops signing
     * ({@code cache.previous-key-until}).
     */
    public record Previous(Path secretKeyPath, Instant until) {}
}
