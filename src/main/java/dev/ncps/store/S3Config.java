package dev.ncps.store;

import java.net.URI;
import java.util.Objects;

/**
 * Where and how {@link S3Store} reaches its bucket.
 *
 * @param endpoint       e.g. {@code https://s3.eu-west-1.amazonaws.com} or {@code http://minio:9000}
 * @param forcePathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key} (MinIO, S3Proxy)
 * @param checksums      when the SDK adds request checksums and validates response ones; some S3-compatible
 *                       stores reject the CRC checksums that the SDK sends by default
 */
public record S3Config(URI endpoint, String region, String bucket, String accessKey, String secretKey,
                       boolean forcePathStyle, ChecksumMode checksums) {

    public enum ChecksumMode { WHEN_SUPPORTED, WHEN_REQUIRED }

    public S3Config {
        Objects.requireNonNull(endpoint, "S3 endpoint");
        Objects.requireNonNull(bucket, "S3 bucket");
        Objects.requireNonNull(checksums, "S3 checksum mode");
        if (region == null || region.isBlank()) region = "us-east-1";
        if (bucket.isBlank()) throw new IllegalArgumentException("S3 bucket name must not be empty");
        String scheme = endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' must start with http:// or https://");
        }
    }

    /** Every setting by the name of its option, the secret hidden: what config check and startup lines show. */
    @Override
    public String toString() {
        return "S3[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region + ", accessKeyId=" + accessKey
                + ", secretAccessKey=(hidden), forcePathStyle=" + forcePathStyle + ", checksumMode=" + checksums + "]";
    }
}
