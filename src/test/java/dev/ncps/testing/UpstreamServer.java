package dev.ncps.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An HTTP/1.1 server on loopback serving a Nix binary cache folder (nix-cache-info, *.narinfo, nar/*), that
 * counts requests per path and misbehaves on demand ({@link #inject}). Faults and counts can be changed while
 * requests are in flight.
 */
public final class UpstreamServer implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final Path root;
    private final Server server;
    private final ServerConnector connector;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> bodyBytes = new ConcurrentHashMap<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    /**
     * A new binary cache folder with only its nix-cache-info (priority 40, like cache.nixos.org): the start of an
     * upstream that has nothing or only what a test puts there. The caller deletes it.
     */
    public static Path newCacheDir(String prefix) throws IOException {
        Path dir = TestDirs.newWorkDir(prefix);
        Files.writeString(dir.resolve("nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        return dir;
    }

    /** Serves {@code cacheDir} on a free loopback port. */
    public UpstreamServer(Path cacheDir) {
        this(cacheDir, 0);
    }

    /** Serves {@code cacheDir} on {@code port} (0 for a free one), e.g. to come back on the same port. */
    public UpstreamServer(Path cacheDir, int port) {
        this(cacheDir, Processes.LOOPBACK, port);
    }

    /**
     * Serves {@code cacheDir} on {@code host}: {@code "0.0.0.0"} for clients in containers, which reach the host
     * through their network's gateway. {@link #url()} stays the loopback URL.
     */
    public UpstreamServer(Path cacheDir, String host, int port) {
        if (!Files.isRegularFile(cacheDir.resolve("nix-cache-info"))) {
            throw new IllegalArgumentException(cacheDir + " is not a binary cache: it has no nix-cache-info");
        }
        this.root = cacheDir.toAbsolutePath().normalize();
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("upstream");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new CacheHandler());
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the upstream server on port " + port, e);
        }
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + port());
    }

    public int port() {
        return connector.getLocalPort();
    }

    public Path root() {
        return root;
    }

    /** Requests (any method) for this exact path, e.g. {@code "/nar/xyz.nar.xz"}, since the last reset. */
    public int requests(String path) {
        AtomicInteger count = counts.get(path);
        return count == null ? 0 : count.get();
    }

    /** Requests for paths under /nar/ since the last reset. */
    public int narRequests() {
        return sum(path -> path.startsWith("/nar/"));
    }

    /** Requests for *.narinfo since the last reset. */
    public int narInfoRequests() {
        return sum(path -> path.endsWith(".narinfo"));
    }

    public int total() {
        return sum(path -> true);
    }

    /** A snapshot of all counts by path. */
    public Map<String, Integer> counts() {
        Map<String, Integer> snapshot = new java.util.TreeMap<>();
        counts.forEach((path, count) -> snapshot.put(path, count.get()));
        return snapshot;
    }

    /**
     * Body bytes written for this exact path since the last reset (what a client that hangs up early
     * read, plus at most what the socket buffers held).
     */
    public long bytesSent(String path) {
        AtomicLong sent = bodyBytes.get(path);
        return sent == null ? 0 : sent.get();
    }

    public void resetCounts() {
        counts.clear();
        bodyBytes.clear();
    }

    /** Applies {@code fault} to every request whose path fully matches {@code pathRegex}, until removed. */
    public Rule inject(String pathRegex, Fault fault) {
        return inject(pathRegex, fault, Integer.MAX_VALUE);
    }

    /** Applies {@code fault} to the next {@code times} requests whose path fully matches {@code pathRegex}. */
    public Rule inject(String pathRegex, Fault fault, int times) {
        if (times <= 0) {
            throw new IllegalArgumentException("times must be positive, got " + times);
        }
        Rule rule = new Rule(Pattern.compile(pathRegex), Objects.requireNonNull(fault), new AtomicInteger(times));
        rules.add(rule);
        return rule;
    }

    /** A regex matching exactly {@code path}, for {@link #inject}. */
    public static String exactly(String path) {
        return Pattern.quote(path);
    }

    public void clearFaults() {
        rules.clear();
    }

    /** One injected fault; {@link #remove()} takes it back. */
    public final class Rule {
        private final Pattern pattern;
        private final Fault fault;
        private final AtomicInteger remaining;

        private Rule(Pattern pattern, Fault fault, AtomicInteger remaining) {
            this.pattern = pattern;
            this.fault = fault;
            this.remaining = remaining;
        }

        public void remove() {
            rules.remove(this);
        }

        /** Claims one use of this rule for {@code path}; false when it does not match or is used up. */
        private boolean claim(String path) {
            if (!pattern.matcher(path).matches()) {
                return false;
            }
            boolean claimed = remaining.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) > 0;
            if (remaining.get() == 0) {
                rules.remove(this);
            }
            return claimed;
        }
    }

    @Override
    public void close() {
        closing.countDown();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the upstream server", e);
        }
    }

    private int sum(java.util.function.Predicate<String> pathFilter) {
        return counts.entrySet().stream()
                .filter(e -> pathFilter.test(e.getKey()))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    private List<Fault> faultsFor(String path) {
        return rules.stream().filter(rule -> rule.claim(path)).map(rule -> rule.fault).toList();
    }

    /** Waits {@code duration} unless the server closes first; then the request is abandoned. */
    private void stall(Duration duration) throws IOException {
        try {
            if (closing.await(duration.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("upstream server closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stalling", e);
        }
    }

    private final class CacheHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try {
                serve(path, request.getMethod(), response, faultsFor(path));
                callback.succeeded();
            } catch (Throwable failure) {
                // Failing the callback after the headers went out makes Jetty abort the connection, which is
                // exactly what a client of a broken upstream sees.
                callback.failed(failure);
            }
            return true;
        }

        private void serve(String path, String method, Response response, List<Fault> faults) throws IOException {
            for (Fault fault : faults) {
                if (fault instanceof Fault.StallBeforeHeaders(Duration duration)) {
                    stall(duration);
                }
            }
            for (Fault fault : faults) {
                if (fault instanceof Fault.Status(int code)) {
                    sendText(response, method, code, "injected status " + code + "\n", "text/plain");
                    return;
                }
            }
            for (Fault fault : faults) {
                if (fault instanceof Fault.Redirect(int code, String location)) {
                    response.getHeaders().put(HttpHeader.LOCATION, location);
                    sendText(response, method, code, "moved\n", "text/plain");
                    return;
                }
            }
            for (Fault fault : faults) {
                if (fault instanceof Fault.ReplaceBody(String text)) {
                    sendText(response, method, 200, text, contentType(path));
                    return;
                }
            }
            Path file = resolve(path);
            if (file == null) {
                sendText(response, method, 404, "not found: " + path + "\n", "text/plain");
                return;
            }
            long size = Files.size(file);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType(path));
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
            if (method.equals("HEAD")) {
                return;
            }
            try (InputStream in = Files.newInputStream(file)) {
                AtomicLong sent = bodyBytes.computeIfAbsent(path, p -> new AtomicLong());
                new BodyWriter(faults, size, sent).copy(in, Content.Sink.asOutputStream(response));
            }
        }

        private void sendText(Response response, String method, int status, String text, String type)
                throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            if (!method.equals("HEAD")) {
                try (OutputStream out = Content.Sink.asOutputStream(response)) {
                    out.write(bytes);
                }
            }
        }

        /** The file for a request path, or null when there is none (or the path tries to leave the root). */
        private Path resolve(String path) {
            if (path == null || !path.startsWith("/") || path.contains("\\")) {
                return null;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            return file.startsWith(root) && Files.isRegularFile(file) ? file : null;
        }

        private static String contentType(String path) {
            if (path.endsWith(".narinfo")) {
                return "text/x-nix-narinfo";
            }
            if (path.equals("/nix-cache-info")) {
                return "text/x-nix-cache-info";
            }
            return path.startsWith("/nar/") ? "application/x-nix-nar" : "application/octet-stream";
        }
    }

    /** Copies a body while applying the body faults at their byte offsets. */
    private final class BodyWriter {
        private final long size;
        private final AtomicLong sentTotal;
        private long corruptAt = -1;
        private long truncateAt = Long.MAX_VALUE;
        private long stallAt = -1;
        private Duration stallFor = Duration.ZERO;
        private long bytesPerSecond = Long.MAX_VALUE;

        BodyWriter(List<Fault> faults, long size, AtomicLong sentTotal) {
            this.size = size;
            this.sentTotal = sentTotal;
            for (Fault fault : faults) {
                switch (fault) {
                    case Fault.Corrupt() -> corruptAt = size / 2;
                    case Fault.Truncate(long after) -> truncateAt = Math.min(truncateAt, after);
                    case Fault.StallMidBody(long after, Duration duration) -> {
                        stallAt = after;
                        stallFor = duration;
                    }
                    case Fault.Throttle(long rate) -> bytesPerSecond = Math.min(bytesPerSecond, rate);
                    case Fault.Status s -> { }
                    case Fault.ReplaceBody r -> { }
                    case Fault.Redirect r -> { }
                    case Fault.StallBeforeHeaders s -> { }
                }
            }
        }

        void copy(InputStream in, OutputStream out) throws IOException {
            int chunk = bytesPerSecond == Long.MAX_VALUE ? CHUNK
                    : Math.clamp(bytesPerSecond / 20, 1, CHUNK);
            byte[] buffer = new byte[chunk];
            long started = System.nanoTime();
            long sent = 0;
            while (sent < size) {
                if (sent == stallAt) {
                    out.flush();
                    stall(stallFor);
                }
                if (sent == truncateAt) {
                    out.flush();
                    throw new IOException("injected truncation after " + sent + " bytes");
                }
                int want = (int) Math.min(chunk, nextBoundary(sent) - sent);
                int read = in.read(buffer, 0, want);
                if (read < 0) {
                    throw new IOException("file shrank while serving it");
                }
                if (corruptAt >= sent && corruptAt < sent + read) {
                    buffer[(int) (corruptAt - sent)] ^= (byte) 0xFF;
                }
                out.write(buffer, 0, read);
                sentTotal.addAndGet(read);
                sent += read;
                pace(started, sent);
            }
            out.close();
        }

        /** The next offset where the copy must pause to apply a fault, or the end. */
        private long nextBoundary(long sent) {
            long boundary = size;
            if (stallAt > sent) {
                boundary = Math.min(boundary, stallAt);
            }
            if (truncateAt > sent) {
                boundary = Math.min(boundary, truncateAt);
            }
            return boundary;
        }

        private void pace(long startedNanos, long sent) throws IOException {
            if (bytesPerSecond == Long.MAX_VALUE) {
                return;
            }
            long dueNanos = startedNanos + sent * 1_000_000_000L / bytesPerSecond;
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
                stall(Duration.ofNanos(wait));
            }
        }
    }
}
