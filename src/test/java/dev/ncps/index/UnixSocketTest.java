package dev.ncps.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.testing.TestDirs;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The socket the JDBC drivers get for Unix-socket database URLs, against a JDK Unix socket server. */
class UnixSocketTest {
    private Path dir;
    private Path file;
    private ServerSocketChannel server;

    @BeforeEach
    void listen() throws IOException {
        dir = TestDirs.newWorkDir("unix-socket");
        file = dir.resolve("db.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(file));
    }

    @AfterEach
    void close() throws IOException {
        server.close();
        TestDirs.deleteTree(dir);
    }

    @Test
    void bytesGoBothWaysAndTheEndOfTheStreamIsSeen() throws Exception {
        try (UnixSocket socket = new UnixSocket(file).connect(); SocketChannel peer = server.accept()) {
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer got = ByteBuffer.allocate(4);
            while (got.hasRemaining()) peer.read(got);
            assertThat(new String(got.array(), StandardCharsets.US_ASCII)).isEqualTo("ping");

            peer.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
            peer.close();
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pong");
        }
    }

    @Test
    void aLargeWriteToASlowReaderCompletes() throws Exception {
        byte[] big = new byte[4 << 20];
        try (UnixSocket socket = new UnixSocket(file).connect(); SocketChannel peer = server.accept()) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(big);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long read = 0;
            ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
            while (read < big.length) {
                buffer.clear();
                read += peer.read(buffer);
            }
            writing.get(30, TimeUnit.SECONDS);
            assertThat(read).isEqualTo(big.length);
        }
    }

    @Test
    void aReadTimesOutAfterTheSoTimeoutWhenTheServerIsSilent() throws Exception {
        try (UnixSocket socket = new UnixSocket(file).connect(); SocketChannel peer = server.accept()) {
            socket.setSoTimeout(200);
            long start = System.nanoTime();
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);
        }
    }

    @Test
    void closingTheSocketEndsAReadBlockedWithoutATimeout() throws Exception {
        try (UnixSocket socket = new UnixSocket(file).connect(); SocketChannel peer = server.accept()) {
            InputStream in = socket.getInputStream();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    in.read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(100);
            socket.close();
            assertThat(reader.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            assertThat(socket.isClosed()).isTrue();
        }
    }

    @Test
    void aMissingSocketFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("absent.sock");
        assertThatThrownBy(() -> new UnixSocket(missing).connect()).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot connect to the socket " + missing);
        assertThatThrownBy(() -> new UnixSocket(missing).getInputStream()).isInstanceOf(SocketException.class);
    }
}
