package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many clients asking for the same NAR at once share one upstream download and read it as it arrives. */
@Tag("slow")
class ConcurrentDownloadTest {
    private static final int CLIENTS = 50;
    /** About two seconds for the 1 MiB NAR: long enough for every client to join the download in progress. */
    private static final long UPSTREAM_BYTES_PER_SECOND = 512 * 1024;

    /** One client's view: when its first body byte came and when its body was complete, after the start signal. */
    private record Fetch(int status, byte[] body, Duration firstByte, Duration complete) {}

    @Test
    void fiftyClientsOfOneUncachedNarCauseOneUpstreamRequestAndAllGetTheVerifiedBytesAsTheyArrive() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
             HttpClient http = Http.client();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            String hash = NixUpstreamCache.hashOf(UpstreamFaultsTest.bigPath(cache));
            NarInfo narInfo = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hash + ".narinfo"))));
            String upstreamNar = "/" + cache.narUrl(hash);
            upstream.inject(UpstreamServer.exactly(upstreamNar), Fault.throttle(UPSTREAM_BYTES_PER_SECOND));

            CountDownLatch start = new CountDownLatch(1);
            List<Future<Fetch>> fetches = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                fetches.add(clients.submit(() -> {
                    start.await();
                    return fetch(http, ncps.url("/" + narInfo.url()));
                }));
            }
            start.countDown();
            List<Fetch> results = new ArrayList<>();
            for (Future<Fetch> fetch : fetches) {
                results.add(fetch.get());
            }

            assertThat(upstream.requests(upstreamNar)).as("upstream requests of the NAR").isEqualTo(1);
            assertThat(results).allSatisfy(fetch -> {
                assertThat(fetch.status()).isEqualTo(200);
                assertThat(fetch.body()).isEqualTo(results.getFirst().body());
            });
            assertThat(Http.nixSha256(results.getFirst().body())).isEqualTo(narInfo.fileHash().toNix32String());

            Duration transfer = results.stream().map(Fetch::complete).max(Duration::compareTo).orElseThrow();
            Duration slowestFirstByte = results.stream().map(Fetch::firstByte).max(Duration::compareTo).orElseThrow();
            assertThat(transfer).as("the throttled transfer").isGreaterThan(Duration.ofSeconds(1));
            assertThat(slowestFirstByte).as("slowest time to first byte, transfer took %s", transfer)
                    .isLessThan(transfer.dividedBy(3));
        }
    }

    private static Fetch fetch(HttpClient http, URI uri) {
        long started = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                int first = body.read();
                Duration firstByte = Duration.ofNanos(System.nanoTime() - started);
                byte[] rest = body.readAllBytes();
                Duration complete = Duration.ofNanos(System.nanoTime() - started);
                byte[] all = new byte[first < 0 ? 0 : rest.length + 1];
                if (first >= 0) {
                    all[0] = (byte) first;
                    System.arraycopy(rest, 0, all, 1, rest.length);
                }
                return new Fetch(response.statusCode(), all, firstByte, complete);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
