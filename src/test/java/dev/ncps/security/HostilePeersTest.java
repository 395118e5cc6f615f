package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.testing.Fault;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Attacks that ncps already withstood when the trust review was made, kept as tests so they stay held: a
 * hostile upstream that sends a 2 GiB narinfo, resets in the middle of one, or serves a validly signed
 * narinfo of another path; a hostile client that smuggles a request, holds many connections open with
 * half-sent headers, or uploads an oversized narinfo.
 */
@Tag("slow")
@Tag("security")
class HostilePeersTest {
    /** Any well-formed key: the hostile upstream never gets as far as a signature check. */
    private static final String SOME_KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    private static final String HASH = "0c1rmc5wf1xbm5s0yv3d3v9dh3nsl3yq";

    @Test
    void aTwoGibNarInfoIsCutOffAfterOneMibAnd502() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream(HostileUpstream.Behaviour.ENDLESS_BODY);
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), SOME_KEY, Map.of());
             HttpClient http = Http.client()) {
            HttpResponse<byte[]> answer = Http.get(http, ncps.url("/" + HASH + ".narinfo"));

            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(Http.text(answer)).doesNotContain("aaaa");
            Thread.sleep(500);
            // 1 MiB read, plus what the sockets' buffers took in before ncps hung up.
            assertThat(upstream.bodyBytesWritten()).isLessThan(32L << 20);
        }
    }

    @Test
    void anUpstreamResetInTheMiddleOfANarInfoIs502AndNothingIsKept() throws Exception {
        try (HostileUpstream upstream = new HostileUpstream(HostileUpstream.Behaviour.RESET_MID_BODY);
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), SOME_KEY, Map.of());
             HttpClient http = Http.client()) {
            assertThat(Http.get(http, ncps.url("/" + HASH + ".narinfo")).statusCode()).isEqualTo(502);
            assertThat(Http.get(http, ncps.url("/upload/" + HASH + ".narinfo")).statusCode())
                    .as("nothing was stored").isEqualTo(404);
        }
    }

    /**
     * Store-path poisoning: the upstream answers for path A with the narinfo of path B, correctly signed by
     * the upstream's own key. Taking it would serve B's bytes under A's name.
     */
    @Test
    void aValidlySignedNarInfoOfAnotherPathIsRefused() {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        List<String> paths = cache.storePaths();
        String victim = NixUpstreamCache.hashOf(paths.get(0));
        String other = NixUpstreamCache.hashOf(paths.get(1));
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
             HttpClient http = Http.client()) {
            upstream.inject(UpstreamServer.exactly("/" + victim + ".narinfo"), Fault.replaceBody(cache.narInfoText(other)));

            HttpResponse<byte[]> answer = Http.get(http, ncps.url("/" + victim + ".narinfo"));
            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(Http.text(answer)).contains("failed verification (store_path)");
            assertThat(Http.get(http, ncps.url("/upload/" + victim + ".narinfo")).statusCode())
                    .as("nothing was stored under the victim's name").isEqualTo(404);
        }
    }

    /**
     * Request smuggling: a request with both Content-Length and Transfer-Encoding, whose chunked body hides a
     * second request. ncps must refuse it and never answer the hidden request.
     */
    @Test
    void aRequestWithBothContentLengthAndTransferEncodingIsRefusedAndNothingIsSmuggled() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of())) {
            String hidden = "GET /pubkey HTTP/1.1\r\nHost: x\r\n\r\n";
            String smuggling = "POST /nix-cache-info HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden;
            String answer = exchange(ncps.url(), smuggling);

            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer.split("HTTP/1.1 ", -1)).as("one answer only: %s", answer).hasSize(2);
            assertThat(answer).doesNotContain(ncps.publicKey());
        }
    }

    /** Slowloris: connections that never finish their headers do not stop anyone else from being served. */
    @Test
    void manyHalfSentRequestsDoNotStarveOtherClients() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        List<Socket> slow = new ArrayList<>();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
             HttpClient http = Http.client()) {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress(ncps.url().getHost(), ncps.url().getPort()), 5_000);
                socket.getOutputStream().write("GET /nix-cache-info HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                slow.add(socket);
            }
            String root = NixUpstreamCache.hashOf(cache.closureRoot());
            for (int i = 0; i < 20; i++) {
                assertThat(Http.get(http, ncps.url("/" + root + ".narinfo")).statusCode()).isEqualTo(200);
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void anOversizedUploadedNarInfoIs413AndNotRead() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(),
                     Map.of("CACHE_ALLOW_PUT_VERB", "true", "CACHE_UPLOAD_TOKEN", "t0ken"));
             HttpClient http = Http.client()) {
            byte[] huge = new byte[3 << 20];
            java.util.Arrays.fill(huge, (byte) 'a');
            HttpResponse<byte[]> answer = Http.send(http, "PUT", ncps.url("/upload/" + HASH + ".narinfo"), huge,
                    "Authorization", "Bearer t0ken");

            assertThat(answer.statusCode()).isEqualTo(413);
            assertThat(Http.get(http, ncps.url("/upload/" + HASH + ".narinfo"), "Authorization", "Bearer t0ken")
                    .statusCode()).isEqualTo(404);
        }
    }

    /** Writes {@code request} as is and returns everything the server answers until it closes. */
    private static String exchange(URI server, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    answer.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (java.net.SocketTimeoutException keptOpen) {
                // A server that keeps the connection open after its answer has said all it will say.
            }
            return answer.toString();
        }
    }
}
