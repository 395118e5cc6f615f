package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class HaproxyServerTest {
    private static final Duration STATE_CHANGE = Duration.ofSeconds(10);

    private UpstreamServer first;
    private UpstreamServer second;
    private HttpClient http;

    @BeforeEach
    void startBackends(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("nix-cache-info"), "StoreDir: /nix/store\n");
        Files.writeString(dir.resolve("x.narinfo"), "StorePath: /nix/store/x\n");
        first = new UpstreamServer(dir);
        second = new UpstreamServer(dir);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void stopBackends() {
        http.close();
        first.close();
        second.close();
    }

    @Test
    void spreadsRequestsOverHealthyBackendsAndSkipsOneFailingItsHealthCheck() throws Exception {
        try (HaproxyServer haproxy = HaproxyServer.start(List.of(first.url(), second.url()),
                HaproxyServer.Balance.ROUNDROBIN)) {
            haproxy.awaitState(first.url(), "UP", STATE_CHANGE);
            haproxy.awaitState(second.url(), "UP", STATE_CHANGE);

            assertThat(getTimes(haproxy.url(), 10)).containsOnly(200);
            assertThat(first.requests("/x.narinfo")).isEqualTo(5);
            assertThat(second.requests("/x.narinfo")).isEqualTo(5);

            second.inject(UpstreamServer.exactly("/nix-cache-info"), Fault.status(503));
            haproxy.awaitState(second.url(), "DOWN", STATE_CHANGE);
            first.resetCounts();
            second.resetCounts();

            assertThat(getTimes(haproxy.url(), 6)).containsOnly(200);
            assertThat(first.requests("/x.narinfo")).isEqualTo(6);
            assertThat(second.requests("/x.narinfo")).isZero();
        }
    }

    @Test
    void retriesOnAnotherBackendWhenOneRefusesConnectionsBeforeTheCheckNotices() throws Exception {
        try (HaproxyServer haproxy = HaproxyServer.start(List.of(first.url(), second.url()),
                HaproxyServer.Balance.ROUNDROBIN)) {
            haproxy.awaitState(second.url(), "UP", STATE_CHANGE);
            second.close();

            assertThat(getTimes(haproxy.url(), 6)).containsOnly(200);
            assertThat(first.requests("/x.narinfo")).isEqualTo(6);
        }
    }

    @Test
    void reloadSwapsTheBackendsWithoutClosingTheFrontend() throws Exception {
        try (HaproxyServer haproxy = HaproxyServer.start(List.of(first.url()), HaproxyServer.Balance.URI)) {
            int port = haproxy.port();
            assertThat(getTimes(haproxy.url(), 2)).containsOnly(200);

            haproxy.reload(List.of(second.url()));
            haproxy.awaitState(second.url(), "UP", STATE_CHANGE);

            assertThat(haproxy.serverStates()).containsOnlyKeys(HaproxyServer.serverName(second.url()));
            assertThat(haproxy.port()).isEqualTo(port);
            assertThat(getTimes(haproxy.url(), 3)).containsOnly(200);
            assertThat(second.requests("/x.narinfo")).isEqualTo(3);
        }
    }

    private List<Integer> getTimes(URI base, int times) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/x.narinfo")).timeout(Duration.ofSeconds(10)).build();
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < times; i++) {
            statuses.add(http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        return statuses;
    }
}
