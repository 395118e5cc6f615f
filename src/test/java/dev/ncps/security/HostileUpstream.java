package dev.ncps.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import dev.ncps.testing.Processes;

/**
 * An upstream that breaks HTTP on purpose, written on a raw socket so it can do what no well-behaved server
 * library would: announce 2 GiB and stream without end, reset the connection in the middle of a body. It
 * answers {@code /nix-cache-info} properly so ncps considers it healthy, counts the body bytes it managed to
 * write, and only ever listens on loopback.
 */
final class HostileUpstream implements AutoCloseable {
    enum Behaviour {
        /** Announces 2 GiB and writes until the reader gives up. */
        ENDLESS_BODY,
        /** Sends half of a plausible narinfo, then resets the connection. */
        RESET_MID_BODY
    }

    private static final byte[] CACHE_INFO = "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Behaviour behaviour;
    private final AtomicLong bodyBytesWritten = new AtomicLong();

    HostileUpstream(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = new ServerSocket(0, 50, InetAddress.getByName(Processes.LOOPBACK));
        threads.execute(this::accept);
    }

    URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + server.getLocalPort());
    }

    /** Body bytes written to ncps so far, over every request but /nix-cache-info. */
    long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            String requestLine = readHead(in);
            if (requestLine.contains(" /nix-cache-info ")) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/x-nix-cache-info\r\nContent-Length: " + CACHE_INFO.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(CACHE_INFO);
                return;
            }
            switch (behaviour) {
                case ENDLESS_BODY -> {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/x-nix-narinfo\r\nContent-Length: 2147483648\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    Arrays.fill(chunk, (byte) 'a');
                    // Bounded even if nobody stops reading: 2 GiB is what was announced.
                    for (long sent = 0; sent < (2L << 30); sent += chunk.length) {
                        out.write(chunk);
                        bodyBytesWritten.addAndGet(chunk.length);
                    }
                }
                case RESET_MID_BODY -> {
                    byte[] half = "StorePath: /nix/store/".getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/x-nix-narinfo\r\nContent-Length: 400\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(half);
                    out.flush();
                    bodyBytesWritten.addAndGet(half.length);
                    socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
                }
            }
        } catch (IOException expected) {
            // ncps hung up on us, which is the point.
        }
    }

    /** Reads the request head and returns its first line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
            if (head.length() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        int end = head.indexOf("\r\n");
        return end < 0 ? head.toString() : head.substring(0, end);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
