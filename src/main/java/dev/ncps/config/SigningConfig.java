package dev.ncps.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * @param secretKeyPath file with the Nix secret key; empty means the key kept in the database
 * @param signNarinfo whether served narinfos carry this cache's signature
 */
public record SigningConfig(Optional<Path> secretKeyPath, boolean signNarinfo) {}
