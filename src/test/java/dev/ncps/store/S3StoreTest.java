package dev.ncps.store;

import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3StoreTest extends StoreContractTest {
    static final String ACCESS = "access";
    static final String SECRET = "secret";

    @RegisterExtension
    static final S3ProxyExtension S3_PROXY = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    private S3Config config(String bucket) {
        return new S3Config(S3_PROXY.getUri(), "us-east-1", bucket, ACCESS, SECRET, true, S3Config.ChecksumMode.WHEN_REQUIRED);
    }

    private String bucket;

    private static S3Client admin() {
        return S3Client.builder().endpointOverride(S3_PROXY.getUri()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
                .forcePathStyle(true).build();
    }

    @Override
    Store newStore() throws IOException {
        bucket = "ncps-" + System.nanoTime();
        try (S3Client admin = admin()) {
            admin.createBucket(b -> b.bucket(bucket));
        }
        return new S3Store(config(bucket));
    }

    @Test
    void aMissingBucketIsRefusedWithItsName() {
        assertThatThrownBy(() -> new S3Store(config("no-such-bucket"))).isInstanceOf(IOException.class)
                .hasMessageContaining("'no-such-bucket'").hasMessageContaining("does not exist");
    }

    @Test
    void wrongCredentialsAreRefusedAtStart() {
        S3Config wrong = new S3Config(URI.create(S3_PROXY.getUri().toString()), "us-east-1", "whatever", ACCESS, "wrong",
                true, S3Config.ChecksumMode.WHEN_SUPPORTED);
        assertThatThrownBy(() -> new S3Store(wrong)).isInstanceOf(IOException.class).hasMessageContaining("'whatever'");
    }

    /** The lookup of a hit already fetched the bytes: one request, so a deletion after it does not matter. */
    @Test
    void readFetchesTheBytesWithTheLookup() throws Exception {
        byte[] content = bytes(10_000, 7);
        store.put(KEY, file(content));
        try (Store.Blob blob = store.read(KEY).orElseThrow()) {
            store.delete(KEY);
            assertThat(read(blob, 0)).isEqualTo(content);
        }
    }

    @Test
    void objectsCarryTheNarContentType() throws Exception {
        store.put(KEY, file(bytes(10, 1)));
        assertThat(store.get(KEY).orElseThrow().localFile()).isEmpty();
        try (S3Client admin = admin()) {
            assertThat(admin.headObject(h -> h.bucket(bucket).key(KEY)).contentType()).isEqualTo("application/x-nix-nar");
        }
    }

    /** The no-replace guarantee does not rest on HEAD alone: the store itself refuses a conditional overwrite. */
    @Test
    void theServerRefusesAConditionalOverwrite() throws Exception {
        store.put(KEY, file(bytes(10, 1)));
        try (S3Client admin = admin()) {
            assertThatThrownBy(() -> admin.putObject(p -> p.bucket(bucket).key(KEY).ifNoneMatch("*"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes(10, 2))))
                    .isInstanceOfSatisfying(software.amazon.awssdk.services.s3.model.S3Exception.class,
                            e -> assertThat(e.statusCode()).isEqualTo(412));
        }
        assertThat(read(store.get(KEY).orElseThrow(), 0)).isEqualTo(bytes(10, 1));
    }
}
