package dev.ncps.store;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Objects in an S3 bucket, same keys as {@link LocalStore}. An object appears only complete: a file of
 * known size is one streamed PutObject; a stream of unknown length is a multipart upload of
 * {@value #PART_SIZE}-byte parts (only one part in memory), aborted on any failure.
 *
 * <p>No-replace: a HeadObject first, then {@code If-None-Match: *} on the write, which S3 (and stores
 * that implement conditional writes) refuse with 412 when the key exists. Where a store ignores the
 * header, two racing writers may both write; that is harmless because an object's key names its
 * content hash, so both write the same bytes.
 */
public final class S3Store implements Store {
    static final int PART_SIZE = 8 * 1024 * 1024;
    static final String CONTENT_TYPE = "application/x-nix-nar";

    private final S3Client s3;
    private final String bucket;

    /** Connects and checks that the bucket exists and is reachable with these credentials. */
    public S3Store(S3Config config) throws IOException {
        this.bucket = config.bucket();
        this.s3 = S3Client.builder()
                .endpointOverride(config.endpoint())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .forcePathStyle(config.forcePathStyle())
                .requestChecksumCalculation(config.checksums() == S3Config.ChecksumMode.WHEN_REQUIRED
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(config.checksums() == S3Config.ChecksumMode.WHEN_REQUIRED
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED)
                .httpClientBuilder(Apache5HttpClient.builder())
                .build();
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            s3.close();
            String why = switch (e.statusCode()) {
                case 404 -> "does not exist";
                case 403 -> "is not accessible with the configured credentials (403)";
                case 301 -> "is in another region than '" + config.region() + "' (301)";
                default -> "cannot be checked: " + e.getMessage();
            };
            throw new IOException("S3 bucket '" + bucket + "' at " + config.endpoint() + " " + why, e);
        } catch (SdkException e) {
            s3.close();
            throw new IOException("cannot reach S3 endpoint " + config.endpoint() + " for bucket '" + bucket + "': "
                    + e.getMessage(), e);
        }
    }

    private static AwsCredentialsProvider credentials(S3Config config) {
        if (config.accessKey() == null || config.accessKey().isEmpty()) return AnonymousCredentialsProvider.create();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    }

    @Override
    public Optional<Blob> get(String key) throws IOException {
        return head(StoreKeys.validate(key)).map(h -> new S3Blob(key, h.contentLength(), null));
    }

    /** One GetObject: its Content-Length is the size, and its body is what {@link S3Blob#open}(0) returns. */
    @Override
    public Optional<Blob> read(String key) throws IOException {
        StoreKeys.validate(key);
        ResponseInputStream<GetObjectResponse> response;
        try {
            response = s3.getObject(g -> g.bucket(bucket).key(key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
        return Optional.of(new S3Blob(key, response.response().contentLength(), response));
    }

    @Override
    public boolean exists(String key) throws IOException {
        return head(StoreKeys.validate(key)).isPresent();
    }

    private Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(h -> h.bucket(bucket).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw failure("check", key, e);
        } catch (SdkException e) {
            throw failure("check", key, e);
        }
    }

    @Override
    public Optional<Instant> lastModified(String key) throws IOException {
        StoreKeys.validate(key);
        return head(key).map(HeadObjectResponse::lastModified);
    }

    @Override
    public boolean put(String key, Path source) throws IOException {
        StoreKeys.validate(key);
        if (head(key).isPresent()) return false;
        long size = Files.size(source);
        return conditionally(key, () -> s3.putObject(p -> p.bucket(bucket).key(key).contentType(CONTENT_TYPE)
                .contentLength(size).ifNoneMatch("*"), RequestBody.fromFile(source)));
    }

    /**
     * Returns false without reading {@code content} when the key already exists. One part at a time is held, in one
     * buffer for the whole upload.
     */
    @Override
    public boolean put(String key, InputStream content) throws IOException {
        StoreKeys.validate(key);
        if (head(key).isPresent()) return false;
        byte[] buffer = new byte[PART_SIZE];
        int first = content.readNBytes(buffer, 0, PART_SIZE);
        if (first < PART_SIZE) {
            return conditionally(key, () -> s3.putObject(p -> p.bucket(bucket).key(key).contentType(CONTENT_TYPE)
                    .ifNoneMatch("*"), RequestBody.fromBytes(Arrays.copyOf(buffer, first))));
        }
        return multipart(key, offset -> {
            int length = offset == 0 ? first : content.readNBytes(buffer, 0, PART_SIZE);
            return length == 0 ? null : new Part(RequestBody.fromContentProvider(
                    () -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE), () -> {});
        });
    }

    /** Parts go up from the file as soon as each is written, so the object is complete soon after the file is. */
    @Override
    public boolean overlapsUploads() {
        return true;
    }

    /** Each part is sent from its range of {@code file} once that range is written: nothing is held in the heap. */
    @Override
    public boolean putWhileWritten(String key, Path file, Growing growing) throws IOException {
        StoreKeys.validate(key);
        if (head(key).isPresent()) return false;
        long first = growing.await(PART_SIZE);
        if (first < PART_SIZE) {
            try (FileRange range = new FileRange(file, 0, first)) {
                return conditionally(key, () -> s3.putObject(p -> p.bucket(bucket).key(key).contentType(CONTENT_TYPE)
                        .ifNoneMatch("*"), RequestBody.fromContentProvider(range, first, CONTENT_TYPE)));
            }
        }
        return multipart(key, offset -> {
            long length = growing.await(offset + PART_SIZE) - offset;
            if (length == 0) {
                return null;
            }
            FileRange range = new FileRange(file, offset, length);
            return new Part(RequestBody.fromContentProvider(range, length, CONTENT_TYPE), range);
        });
    }

    /** A part's body, and what to release once it is sent. */
    private record Part(RequestBody body, Closeable resources) {}

    @FunctionalInterface
    private interface Parts {
        /** The part starting at {@code offset} of the object, or null after the last. */
        Part next(long offset) throws IOException;
    }

    /** Sends the parts in order and completes the object; any failure aborts the upload, which leaves nothing. */
    private boolean multipart(String key, Parts source) throws IOException {
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key(key).contentType(CONTENT_TYPE)).uploadId();
        } catch (SdkException e) {
            throw failure("start a multipart upload of", key, e);
        }
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long offset = 0;
            for (Part part; (part = source.next(offset)) != null; ) {
                int number = parts.size() + 1;
                long length = part.body().optionalContentLength().orElseThrow();
                try (Closeable ignored = part.resources()) {
                    String etag = s3.uploadPart(u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                            .contentLength(length), part.body()).eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                }
                offset += length;
            }
            boolean created = conditionally(key, () -> s3.completeMultipartUpload(c -> c.bucket(bucket).key(key)
                    .uploadId(uploadId).ifNoneMatch("*")
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
            completed = created;
            return created;
        } catch (SdkException e) {
            throw failure("upload", key, e);
        } finally {
            if (!completed) abort(key, uploadId);
        }
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            // The upload stays invisible either way; a bucket lifecycle rule reclaims its parts.
        }
    }

    /** Runs a write carrying {@code If-None-Match: *}; false when the store says the key exists now. */
    private boolean conditionally(String key, Runnable write) throws IOException {
        try {
            write.run();
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412) return false;
            // 409: a concurrent conditional write to the same key is in progress; whoever finishes wins.
            if (e.statusCode() == 409 && head(key).isPresent()) return false;
            throw failure("store", key, e);
        } catch (SdkException e) {
            throw failure("store", key, e);
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        StoreKeys.validate(key);
        if (head(key).isEmpty()) return false;
        try {
            s3.deleteObject(d -> d.bucket(bucket).key(key));
            return true;
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public void walk(String prefix, Consumer<ObjectInfo> visitor) throws IOException {
        StoreKeys.validatePrefix(prefix);
        try {
            for (S3Object object : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
                    .contents()) {
                visitor.accept(new ObjectInfo(object.key(), object.size()));
            }
        } catch (SdkException e) {
            throw new IOException("listing S3 bucket '" + bucket + "' under '" + prefix + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private IOException failure(String action, String key, Exception e) {
        return new IOException("S3: cannot " + action + " object '" + key + "' in bucket '" + bucket + "': " + e.getMessage(), e);
    }

    /**
     * An object's body that, closed before its end (a client that went away, a range that ends early), aborts
     * the connection: the HTTP client would otherwise read the rest of the object to reuse it.
     */
    private static final class Body extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private long remaining;

        Body(ResponseInputStream<GetObjectResponse> response, long length) {
            super(response);
            this.response = response;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) remaining--;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            remaining -= skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException {
            if (remaining > 0) response.abort();
            super.close();
        }
    }

    private final class S3Blob implements Blob {
        private final String key;
        private final long size;
        /** The whole object's body fetched by {@link #read}, until open or close takes it. */
        private final AtomicReference<ResponseInputStream<GetObjectResponse>> fetched;

        S3Blob(String key, long size, ResponseInputStream<GetObjectResponse> fetched) {
            this.key = key;
            this.size = size;
            this.fetched = new AtomicReference<>(fetched);
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream open(long offset) throws IOException {
            if (offset < 0 || offset > size) {
                throw new IOException("offset " + offset + " is outside the object '" + key + "' of " + size + " bytes");
            }
            ResponseInputStream<GetObjectResponse> whole = fetched.getAndSet(null);
            if (whole != null && offset == 0) return new Body(whole, size);
            if (whole != null) whole.abort();
            if (offset == size) return InputStream.nullInputStream();
            try {
                return new Body(s3.getObject(g -> {
                    g.bucket(bucket).key(key);
                    if (offset > 0) g.range("bytes=" + offset + "-");
                }), size - offset);
            } catch (S3Exception e) {
                if (e.statusCode() == 404) throw new java.nio.file.NoSuchFileException("S3 object '" + key + "' was deleted");
                throw failure("read", key, e);
            } catch (SdkException e) {
                throw failure("read", key, e);
            }
        }

        @Override
        public Optional<Path> localFile() {
            return Optional.empty();
        }

        /** Aborts an unread body: closing it would read the rest of the object to reuse the connection. */
        @Override
        public void close() {
            ResponseInputStream<GetObjectResponse> whole = fetched.getAndSet(null);
            if (whole != null) whole.abort();
        }
    }
}
