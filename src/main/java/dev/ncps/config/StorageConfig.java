package dev.ncps.config;

import dev.ncps.store.S3Config;
import java.nio.file.Path;

/** Where NARs live: exactly one of a local directory or an S3 bucket. */
public sealed interface StorageConfig {
    /** @param root absolute directory */
    record Local(Path root) implements StorageConfig {}

    /** @param settings the store's own settings, built by the config loader (its toString leaves the secret out) */
    record S3(S3Config settings) implements StorageConfig {
        @Override
        public String toString() {
            return settings.toString();
        }
    }
}
