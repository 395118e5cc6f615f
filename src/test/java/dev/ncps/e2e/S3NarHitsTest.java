package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NAR hits on S3 storage, whose lookup already fetches the bytes: every answer (whole, ranges, HEAD, 416) is
 * right, and the ones that do not send the fetched body give its connection back to the SDK's pool.
 */
@Tag("slow")
class S3NarHitsTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();

    @Test
    void hitsAnswerEveryKindOfRequestAndHoldNoConnection() throws Exception {
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             S3Server s3 = S3Server.start("ncps-hits");
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), InProcessNcps.sharedBackends(
                     "sqlite:" + TestDirs.newWorkDir("s3-hits").resolve("db.sqlite"), s3));
             HttpClient http = Http.client()) {
            String hash = cache.storePaths().stream().filter(path -> path.endsWith("-bigdata")).map(NixUpstreamCache::hashOf)
                    .findFirst().orElseThrow();
            URI nar = ncps.url("/" + NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hash + ".narinfo")))).url());
            byte[] whole = Http.get(http, nar).body();
            int size = whole.length;
            Processes.await("the NAR in the bucket", Duration.ofSeconds(20), () -> bucketHolds(s3, size));

            assertThat(Http.get(http, nar).body()).isEqualTo(whole);
            HttpResponse<byte[]> middle = Http.get(http, nar, "Range", "bytes=1000-1999");
            assertThat(middle.statusCode()).isEqualTo(206);
            assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(whole, 1000, 2000));
            HttpResponse<byte[]> tail = Http.get(http, nar, "Range", "bytes=" + (size - 500) + "-");
            assertThat(tail.statusCode()).isEqualTo(206);
            assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole, size - 500, size));
            HttpResponse<byte[]> head = Http.head(http, nar);
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(size);

            // More than the SDK's pool of 50 connections: each would be lost if the fetched body were kept.
            for (int i = 0; i < 60; i++) {
                HttpResponse<byte[]> outside = Http.get(http, nar, "Range", "bytes=" + size + "-");
                assertThat(outside.statusCode()).as("request %d", i).isEqualTo(416);
            }
            HttpResponse<byte[]> after = Http.get(http, nar);
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.body()).isEqualTo(whole);
        }
    }

    private static boolean bucketHolds(S3Server s3, long size) {
        try (var client = s3.client()) {
            return client.listObjectsV2(l -> l.bucket(s3.bucket()).prefix("store/nar/")).contents().stream()
                    .anyMatch(object -> object.size() == size);
        }
    }
}
