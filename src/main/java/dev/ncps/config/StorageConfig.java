package dev.ncps.config;

import dev.ncps.store.S3Config.ChecksumMode;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** Where NARs live: exactly one of a local directory or an S3 bucket. */
public sealed interface StorageConfig {
    /** @param root absolute directory */
    record Local(Path root) implements StorageConfig {}

    record S3(String bucket, URI endpoint, Optional<String> region, String accessKeyId, String secretAccessKey,
              boolean forcePathStyle, ChecksumMode checksumMode) implements StorageConfig {
        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region.orElse("(none)")
                    + ", accessKeyId=" + accessKeyId + ", secretAccessKey=(hidden), forcePathStyle=" + forcePathStyle
                    + ", checksumMode=" + checksumMode + "]";
        }
    }
}
