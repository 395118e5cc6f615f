package dev.ncps.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3-compatible server in this JVM: S3Proxy with a filesystem backend in a temp directory, on a free
 * loopback port, with fixed credentials and one bucket created up front.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "ncps-test-access";
    public static final String SECRET_KEY = "ncps-test-secret-key";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final Path workDir;
    private final String bucket;

    private S3Server(S3Proxy proxy, Path workDir, String bucket) {
        this.proxy = proxy;
        this.workDir = workDir;
        this.bucket = bucket;
    }

    /** Starts S3Proxy and creates {@code bucket}. */
    public static S3Server start(String bucket) {
        Path workDir = TestDirs.newWorkDir("s3");
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", workDir.toString());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(BlobStores.create("filesystem", properties))
                .endpoint(URI.create("http://" + Processes.LOOPBACK + ":0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .stopTimeout(1_000)
                .build();
        try {
            proxy.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
        Processes.await("S3Proxy to start", Duration.ofSeconds(20), () -> "STARTED".equals(proxy.getState()));
        S3Server server = new S3Server(proxy, workDir, bucket);
        try (S3Client client = server.client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        return server;
    }

    public URI endpoint() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + proxy.getPort());
    }

    public String bucket() {
        return bucket;
    }

    public String region() {
        return REGION;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** An SDK client for this server (path-style addressing, the fixed credentials); close it after use. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop S3Proxy", e);
        } finally {
            TestDirs.deleteTree(workDir);
        }
    }
}
