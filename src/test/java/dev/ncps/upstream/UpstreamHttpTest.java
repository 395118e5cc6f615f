package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, against a raw socket server that misbehaves on purpose on each connection in turn. */
class UpstreamHttpTest {

    enum Behaviour { RESET, CLOSE, ANSWER_404, ANSWER_500 }

    ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();
    final UpstreamHttp http = new UpstreamHttp(UpstreamOptions.defaults(), Netrc.empty(), UpstreamListener.NONE);

    @AfterEach
    void close() throws IOException {
        http.close();
        if (server != null) {
            server.close();
        }
    }

    URI serve(List<Behaviour> behaviours) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket socket = server.accept();
                    int n = connections.getAndIncrement();
                    handle(socket, behaviours.get(Math.min(n, behaviours.size() - 1)));
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        http.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/x.narinfo");
    }

    static Upstream upstreamOf(URI uri) {
        return new Upstream(new UpstreamSpec(uri.resolve("/"), 0, List.of(UpstreamsTest.NIXOS)), 0,
                new UpstreamBreaker(5, Duration.ofSeconds(30), Clock.systemUTC()));
    }

    static void handle(Socket socket, Behaviour behaviour) throws IOException {
        readRequestHead(socket.getInputStream());
        switch (behaviour) {
            case RESET -> socket.setSoLinger(true, 0);
            case CLOSE -> { }
            case ANSWER_404 -> answer(socket, "404 Not Found");
            case ANSWER_500 -> answer(socket, "500 Internal Server Error");
        }
        socket.close();
    }

    static void answer(Socket socket, String status) throws IOException {
        socket.getOutputStream().write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
    }

    @Test
    void aResetOrClosedConnectionBeforeTheResponseIsRetried() throws Exception {
        URI uri = serve(List.of(Behaviour.RESET, Behaviour.CLOSE, Behaviour.ANSWER_404));

        try (UpstreamHttp.Exchange exchange = http.get(upstreamOf(uri), uri, false)) {
            assertThat(exchange.status()).isEqualTo(404);
        }
        assertThat(connections).hasValue(3);
    }

    @Test
    void retriesStopAfterThreeAttempts() throws Exception {
        URI uri = serve(List.of(Behaviour.RESET));

        assertThatThrownBy(() -> http.get(upstreamOf(uri), uri, false)).isInstanceOfSatisfying(UpstreamException.class,
                e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.FAILED));
        assertThat(connections).hasValue(3);
    }

    @Test
    void anHttpErrorStatusIsNeverRetried() throws Exception {
        URI uri = serve(List.of(Behaviour.ANSWER_500, Behaviour.ANSWER_404));

        try (UpstreamHttp.Exchange exchange = http.get(upstreamOf(uri), uri, false)) {
            assertThat(exchange.status()).isEqualTo(500);
        }
        assertThat(connections).hasValue(1);
    }
}
