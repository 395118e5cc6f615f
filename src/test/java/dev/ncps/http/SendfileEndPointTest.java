package dev.ncps.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * File regions go from the file to the socket, with Jetty's HTTP/1.1 framing intact: a slow reader makes the
 * socket fill up mid-region, and a second request on the same connection must find the first response
 * exactly as long as its Content-Length said.
 */
class SendfileEndPointTest {
    private static final int SIZE = 24 * 1024 * 1024 + 17;

    @TempDir
    Path work;

    private Server server;
    private ServerConnector connector;
    private final Queue<Long> sentPerResponse = new ConcurrentLinkedQueue<>();
    private byte[] content;

    @BeforeEach
    void start() throws Exception {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Path file = work.resolve("nar");
        Files.write(file, content);
        server = new Server();
        connector = SendfileEndPoint.connector(server, new HttpConnectionFactory());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long offset = Long.parseLong(Request.getParameters(request).getValue("offset"));
                var endPoint = (SendfileEndPoint) request.getConnectionMetaData().getConnection().getEndPoint();
                long before = endPoint.sentFromFiles();
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, SIZE - offset);
                Thread.ofVirtual().start(() -> {
                    try {
                        endPoint.send(response, file, offset, SIZE - offset);
                        sentPerResponse.add(endPoint.sentFromFiles() - before);
                        callback.succeeded();
                    } catch (Throwable e) {
                        callback.failed(e);
                    }
                });
                return true;
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void twoResponsesOnOneSlowConnectionArriveWholeAndComeFromTheFile() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", connector.getLocalPort()));
            String requests = "GET /?offset=0 HTTP/1.1\r\nHost: t\r\n\r\nGET /?offset=1000 HTTP/1.1\r\nHost: t\r\n\r\n";
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            var in = new DataInputStream(socket.getInputStream());

            assertThat(readResponse(in, true)).isEqualTo(content);
            assertThat(readResponse(in, false)).isEqualTo(Arrays.copyOfRange(content, 1000, SIZE));
        }
        assertThat(sentPerResponse).containsExactly((long) SIZE, (long) SIZE - 1000);
    }

    /** Reads one response's head and exactly Content-Length bytes of body; slowly at first when asked to. */
    private static byte[] readResponse(DataInputStream in, boolean slowly) throws IOException, InterruptedException {
        long length = -1;
        for (String line = headerLine(in); !line.isEmpty(); line = headerLine(in)) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        assertThat(length).isPositive();
        byte[] body = new byte[(int) length];
        int read = 0;
        while (read < body.length) {
            int n = in.read(body, read, Math.min(body.length - read, 64 * 1024));
            assertThat(n).as("the connection closed after %d of %d bytes", read, length).isPositive();
            read += n;
            if (slowly && read < 2 * 1024 * 1024) {
                Thread.sleep(1);
            }
        }
        return body;
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("the connection closed in a response head").isNotNegative();
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
