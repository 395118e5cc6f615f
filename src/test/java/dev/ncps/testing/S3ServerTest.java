package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@Tag("slow")
class S3ServerTest {
    @Test
    void storesAndReturnsObjectsInItsBucket() {
        try (S3Server s3 = S3Server.start("ncps-kit"); S3Client client = s3.client()) {
            client.putObject(put -> put.bucket(s3.bucket()).key("nar/abc.nar.xz"), RequestBody.fromString("nar bytes"));

            assertThat(client.getObjectAsBytes(get -> get.bucket(s3.bucket()).key("nar/abc.nar.xz")).asUtf8String())
                    .isEqualTo("nar bytes");
            assertThat(client.listObjectsV2(list -> list.bucket(s3.bucket())).contents())
                    .extracting(o -> o.key()).containsExactly("nar/abc.nar.xz");
            assertThat(s3.endpoint().getHost()).isEqualTo("127.0.0.1");
            assertThat(s3.region()).isEqualTo("us-east-1");
        }
    }
}
