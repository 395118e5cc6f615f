package dev.ncps.upstream;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * A real HTTP binary cache on loopback serving the files of a folder under a path prefix, with fault knobs
 * (status override, delay before headers, stall or truncation mid-body) and a log of what it was asked.
 */
final class FakeUpstream implements AutoCloseable {

    /** One received request: path with query, and the headers the tests look at. */
    record Received(String pathAndQuery, String authorization, String acceptEncoding, String userAgent) {}

    private final Path root;
    private final String prefix;
    private final Server server;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    volatile int statusOverride;
    /** Status override and delay apply only to paths ending with this. */
    volatile String faultPathSuffix = "";
    volatile Duration delayBeforeHeaders = Duration.ZERO;
    volatile long stallAfterBytes = -1;
    volatile long truncateAfterBytes = -1;

    FakeUpstream(Path root, String prefix) throws Exception {
        this.root = root;
        this.prefix = prefix;
        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new FilesHandler());
        server.setStopTimeout(1000);
        server.start();
    }

    /** The cache's base URL (with its path prefix, no trailing slash). */
    URI url() {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return URI.create("http://127.0.0.1:" + port + prefix);
    }

    void put(String relativePath, String content) throws IOException {
        put(relativePath, content.getBytes(StandardCharsets.UTF_8));
    }

    void put(String relativePath, byte[] content) throws IOException {
        Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    void putCacheInfo(int priority) throws IOException {
        put("nix-cache-info", "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: " + priority + "\n");
    }

    /** How many requests asked for this path (below the prefix, without query). */
    int requests(String relativePath) {
        AtomicInteger count = counts.get(relativePath);
        return count == null ? 0 : count.get();
    }

    List<Received> received() {
        return received;
    }

    @Override
    public void close() throws Exception {
        closing.countDown();
        server.stop();
    }

    private final class FilesHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            String query = request.getHttpURI().getQuery();
            received.add(new Received(path + (query == null ? "" : "?" + query),
                    request.getHeaders().get(HttpHeader.AUTHORIZATION),
                    request.getHeaders().get(HttpHeader.ACCEPT_ENCODING),
                    request.getHeaders().get(HttpHeader.USER_AGENT)));
            if (!path.startsWith(prefix + "/")) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            String relative = path.substring(prefix.length() + 1);
            counts.computeIfAbsent(relative, k -> new AtomicInteger()).incrementAndGet();
            boolean faulty = relative.endsWith(faultPathSuffix);
            if (faulty && !delayBeforeHeaders.isZero()) {
                closing.await(delayBeforeHeaders.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (faulty && statusOverride != 0) {
                Response.writeError(request, response, callback, statusOverride);
                return true;
            }
            Path file = root.resolve(relative).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                Response.writeError(request, response, callback, 404);
                return true;
            }
            byte[] bytes = Files.readAllBytes(file);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
            if (stallAfterBytes >= 0) {
                writePart(response, bytes, stallAfterBytes);
                closing.await(60, TimeUnit.SECONDS);
                callback.failed(new IOException("stalled"));
            } else if (truncateAfterBytes >= 0) {
                writePart(response, bytes, truncateAfterBytes);
                callback.failed(new IOException("truncated on purpose"));
            } else {
                response.write(true, ByteBuffer.wrap(bytes), callback);
            }
            return true;
        }

        private void writePart(Response response, byte[] bytes, long count) throws IOException {
            try (Blocker.Callback blocker = Blocker.callback()) {
                response.write(false, ByteBuffer.wrap(bytes, 0, (int) Math.min(count, bytes.length)), blocker);
                blocker.block();
            }
        }
    }
}
