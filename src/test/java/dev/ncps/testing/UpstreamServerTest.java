package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamServerTest {
    private static final String NAR = "/nar/0abc.nar.xz";
    private static final String NARINFO = "/0abc.narinfo";
    private static final int NAR_SIZE = 200_000;

    @TempDir
    Path cache;
    private byte[] nar;
    private UpstreamServer server;
    private HttpClient http;

    @BeforeEach
    void serveFakeCache() throws IOException {
        Files.writeString(cache.resolve("nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        Files.writeString(cache.resolve("0abc.narinfo"), "StorePath: /nix/store/0abc-x\nURL: nar/0abc.nar.xz\n");
        nar = new byte[NAR_SIZE];
        new Random(7).nextBytes(nar);
        Files.createDirectories(cache.resolve("nar"));
        Files.write(cache.resolve("nar/0abc.nar.xz"), nar);
        server = new UpstreamServer(cache);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void servesFilesWithContentTypeAndLengthAndCountsEachPath() throws Exception {
        HttpResponse<byte[]> narResponse = get(NAR);
        assertThat(narResponse.statusCode()).isEqualTo(200);
        assertThat(narResponse.body()).isEqualTo(nar);
        assertThat(narResponse.headers().firstValueAsLong("content-length")).hasValue(NAR_SIZE);
        HttpResponse<byte[]> info = get(NARINFO);
        assertThat(info.headers().firstValue("content-type")).hasValue("text/x-nix-narinfo");
        get(NARINFO);
        assertThat(get("/missing.narinfo").statusCode()).isEqualTo(404);

        assertThat(server.requests(NAR)).isEqualTo(1);
        assertThat(server.requests(NARINFO)).isEqualTo(2);
        assertThat(server.narRequests()).isEqualTo(1);
        assertThat(server.narInfoRequests()).isEqualTo(3);
        assertThat(server.total()).isEqualTo(4);
        server.resetCounts();
        assertThat(server.total()).isZero();
        assertThat(server.requests(NARINFO)).isZero();
    }

    @Test
    void headAnswersTheLengthWithoutABody() throws Exception {
        HttpResponse<byte[]> head = http.send(request(NAR).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("content-length")).hasValue(NAR_SIZE);
        assertThat(head.body()).isEmpty();
        assertThat(server.requests(NAR)).isEqualTo(1);
    }

    @Test
    void refusesPathsOutsideTheCache() throws Exception {
        // Jetty already rejects the ambiguous path (400); the handler's own root check backs it up (404).
        HttpResponse<byte[]> response = get("/nar/../../etc/passwd");
        assertThat(response.statusCode()).isIn(400, 404);
        assertThat(new String(response.body())).doesNotContain("root:");
    }

    @Test
    void corruptFlipsTheMiddleByteOnly() throws Exception {
        server.inject("/nar/.*", Fault.corrupt());
        byte[] body = get(NAR).body();
        assertThat(body).hasSize(NAR_SIZE);
        assertThat(body[NAR_SIZE / 2]).isEqualTo((byte) ~nar[NAR_SIZE / 2]);
        body[NAR_SIZE / 2] = nar[NAR_SIZE / 2];
        assertThat(body).isEqualTo(nar);
    }

    @Test
    void truncateClosesTheConnectionBeforeTheAnnouncedLength() {
        server.inject(UpstreamServer.exactly(NAR), Fault.truncate(1000));
        assertThatThrownBy(() -> get(NAR)).isInstanceOf(IOException.class);
        assertThat(server.requests(NAR)).isEqualTo(1);
    }

    @Test
    void faultLimitedToOneUseHitsOnlyTheNextRequest() throws Exception {
        server.inject(UpstreamServer.exactly(NAR), Fault.status(503), 1);
        assertThat(get(NAR).statusCode()).isEqualTo(503);
        assertThat(get(NAR).statusCode()).isEqualTo(200);
    }

    @Test
    void statusAppliesToMatchingPathsUntilRemoved() throws Exception {
        UpstreamServer.Rule rule = server.inject(".*\\.narinfo", Fault.status(500));
        assertThat(get(NARINFO).statusCode()).isEqualTo(500);
        assertThat(get(NAR).statusCode()).isEqualTo(200);
        rule.remove();
        assertThat(get(NARINFO).statusCode()).isEqualTo(200);
    }

    @Test
    void replaceBodyServesTheGivenText() throws Exception {
        server.inject(UpstreamServer.exactly(NARINFO), Fault.replaceBody("StorePath: /nix/store/0abc-x\nSig: bad:AAAA\n"));
        HttpResponse<byte[]> response = get(NARINFO);
        assertThat(new String(response.body())).contains("Sig: bad:AAAA");
        assertThat(response.headers().firstValue("content-type")).hasValue("text/x-nix-narinfo");
        server.clearFaults();
        assertThat(new String(get(NARINFO).body())).contains("URL: nar/0abc.nar.xz");
    }

    @Test
    void stallBeforeHeadersDelaysTheWholeResponse() throws Exception {
        server.inject(UpstreamServer.exactly(NARINFO), Fault.stallBeforeHeaders(Duration.ofSeconds(5)));
        HttpRequest request = request(NARINFO).timeout(Duration.ofMillis(500)).build();
        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofByteArray()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void stallMidBodySendsTheHeadersAndThenPauses() throws Exception {
        server.inject(UpstreamServer.exactly(NAR), Fault.stallMidBody(10_000, Duration.ofMillis(800)));
        long started = System.nanoTime();
        HttpResponse<java.io.InputStream> response = http.send(request(NAR).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long headersAfter = Duration.ofNanos(System.nanoTime() - started).toMillis();
        byte[] body;
        try (var in = response.body()) {
            body = in.readAllBytes();
        }
        long bodyAfter = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(headersAfter).isLessThan(700);
        assertThat(bodyAfter).isGreaterThanOrEqualTo(800);
        assertThat(body).isEqualTo(nar);
    }

    @Test
    void throttleLimitsTheRate() throws Exception {
        server.inject(UpstreamServer.exactly(NAR), Fault.throttle(400_000));
        long started = System.nanoTime();
        byte[] body = get(NAR).body();
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertThat(body).isEqualTo(nar);
        // 200 kB at 400 kB/s takes half a second.
        assertThat(millis).isBetween(450L, 5_000L);
    }

    @Test
    void refusesAFolderThatIsNoCache(@TempDir Path empty) {
        assertThatThrownBy(() -> new UpstreamServer(empty)).hasMessageContaining("no nix-cache-info");
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10));
    }
}
