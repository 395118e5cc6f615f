package dev.ncps.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;

/** Small HTTP helpers for the end-to-end tests: the JDK client, and a raw socket for requests it would refuse to send. */
public final class Http {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Http() {}

    public static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static HttpResponse<byte[]> get(HttpClient client, URI uri, String... headers) {
        return send(client, request(uri, headers).GET().build());
    }

    static HttpResponse<byte[]> head(HttpClient client, URI uri, String... headers) {
        return send(client, request(uri, headers).HEAD().build());
    }

    public static HttpResponse<byte[]> put(HttpClient client, URI uri, byte[] body) {
        return send(client, request(uri).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static HttpRequest.Builder request(URI uri, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
        return headers.length == 0 ? builder : builder.headers(headers);
    }

    private static HttpResponse<byte[]> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The status line and the rest of a raw answer. */
    record RawResponse(int status, String text) {}

    /**
     * Sends {@code requestTarget} exactly as written (no normalisation, no encoding) with {@code extraHeaders}
     * (CRLF-terminated lines) and reads the whole answer; the connection is closed after one request.
     */
    static RawResponse raw(URI server, String method, String requestTarget, String extraHeaders) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + requestTarget + " HTTP/1.1\r\nHost: " + server.getHost() + "\r\n" + extraHeaders
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                throw new IllegalStateException("not an HTTP/1.1 answer to " + method + " " + requestTarget + ": " + text);
            }
            return new RawResponse(Integer.parseInt(text.substring(9, 12)), text);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + requestTarget + " to " + server + " failed", e);
        }
    }

    /** The sha256 of {@code bytes} as Nix writes it in a narinfo: {@code sha256:<nix32>}. */
    static String nixSha256(byte[] bytes) {
        try {
            return Hash.of(HashAlgorithm.SHA256, MessageDigest.getInstance("SHA-256").digest(bytes)).toNix32String();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
