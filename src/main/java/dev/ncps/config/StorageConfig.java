package dev.ncps.config;

import dev.ncps.store.S3Config;
import java.nio.file.Path;

/** Where NARs live: exactly one of a local directory or an S3 bucket. */
public sealed interface StorageConfig {
    /** @param root absolute directory */
    record Local(Path root) implements StorageConfig {}

    /** @param settings the store's own settings, built by the config loader (its toString leaves the secret out) */
    record S3(S3Config settings) implements StorageConfig {
        /** As config check and startup lines show it: every setting by its option's name, the secret hidden. */
        @Override
        public String toString() {
            return "S3[bucket=" + settings.bucket() + ", endpoint=" + settings.endpoint() + ", region=" + settings.region()
                    + ", accessKeyId=" + settings.accessKey() + ", secretAccessKey=(hidden), forcePathStyle="
                    + settings.forcePathStyle() + ", checksumMode=" + settings.checksums() + "]";
        }
    }
}
