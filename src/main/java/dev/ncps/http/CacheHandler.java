package dev.ncps.http;

import dev.ncps.cache.Cache;
import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.cache.DownloadFailedException;
import dev.ncps.cache.Uploads;
import dev.ncps.nix.Compression;
import dev.ncps.nix.JsonString;
import dev.ncps.store.Store;
import io.opentelemetry.context.Context;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Every route of ncps. Narinfos held in memory and the fixed routes are answered on the I/O thread that
 * parsed the request; everything else runs on its own virtual thread, where it simply blocks on storage,
 * the database and upstream reads. Cache hits from a local folder go from the file to the socket
 * ({@link SendfileEndPoint}).
 */
final class CacheHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(CacheHandler.class);
    private static final String NAR_TYPE = "application/x-nix-nar";
    private static final String NARINFO_TYPE = "text/x-nix-narinfo";
    private static final String CACHE_INFO_TYPE = "text/x-nix-cache-info";
    private static final String TEXT_TYPE = "text/plain; charset=utf-8";
    private static final byte[] HEALTHY = {'.'};
    /** The Priority of /nix-cache-info, fixed as in the Go ncps (Nix prefers lower; cache.nixos.org is 40). */
    private static final int CACHE_INFO_PRIORITY = 10;
    private static final String JSON_TYPE = "application/json";
    /** Below this a read into the heap is cheaper than creating and releasing a mapping. */
    private static final long MAP_THRESHOLD = 64 * 1024;
    private static final long MAP_WINDOW = 4 * 1024 * 1024;
    private static final int COPY_BUFFER = 64 * 1024;
    /** Real narinfos are a few KiB even with thousands of references; this bounds what a PUT can make us hold. */
    private static final int MAX_NARINFO_BYTES = 1024 * 1024;
    /** As the Go ncps: an entry is a path and a few signatures. */
    private static final int MAX_BUILD_TRACE_BYTES = 1024 * 1024;

    private final Cache cache;
    /** Where requests that may block run: one virtual thread each. */
    private final Executor blocking;
    private final Uploads uploads;
    private final HttpSettings settings;
    private final Access access;
    private final Optional<MetricsWriter> exposition;
    private final PinRoutes pins;
    /** Why this instance should get no traffic now, or empty when it is ready. */
    private final Supplier<Optional<String>> unready;
    private final byte[] cacheInfo;
    private final byte[] publicKey;
    private final byte[] rootJson;

    CacheHandler(Cache cache, Uploads uploads, HttpSettings settings, Optional<MetricsWriter> exposition, Supplier<Optional<String>> unready,
                 Executor blocking) {
        super(InvocationType.NON_BLOCKING);
        this.cache = cache;
        this.blocking = blocking;
        this.uploads = uploads;
        this.settings = settings;
        this.access = new Access(settings.getToken(), settings.uploadToken());
        this.exposition = exposition;
        this.pins = new PinRoutes(cache.pins());
        this.unready = unready;
        String key = cache.signer().publicKey().toNixString();
        this.cacheInfo = ("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: " + CACHE_INFO_PRIORITY + "\n").getBytes(StandardCharsets.UTF_8);
        this.publicKey = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder root = new StringBuilder("{\"hostname\":");
        JsonString.append(settings.hostname(), root);
        root.append(",\"publicKey\":");
        JsonString.append(key, root);
        this.rootJson = root.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Route.Routed routed;
        if (request.getAttribute(AccessLog.ROUTE) instanceof Route.Routed parsed) {
            routed = parsed;
        } else {
            routed = Route.Routed.of(request.getHttpURI().getPath());
            request.setAttribute(AccessLog.ROUTE, routed);
        }
        if (!answeredInline(request, response, callback, routed)) {
            blocking.execute(() -> handleBlocking(request, response, callback, routed));
        }
        return true;
    }

    /**
     * Answers without a thread of its own what needs neither storage nor an upstream: narinfo hits and the fixed
     * routes. The hand-off to a virtual thread is most of the cost of such a hit (docs/benchmarks.md), and nothing
     * here blocks: a narinfo is answered from memory or SQLite on the I/O thread, or from a server database on the
     * index's reading thread, and only a narinfo the index does not hold takes the blocking path after all.
     * Anything else, including every refusal, goes to the blocking path, which answers it completely.
     */
    private boolean answeredInline(Request request, Response response, Callback callback, Route.Routed routed) {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method) || routed.upload()) {
            return false;
        }
        Route route = routed.route();
        if (!exemptFromToken(route) && !access.mayRead(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            return false;
        }
        switch (route) {
            case Route.NarInfo narInfo -> {
                // The answer may come on the index's reading thread; a miss goes on from there in this request's trace.
                Context trace = Context.current();
                cache.narInfoSoon(narInfo.hash(), text -> {
                    if (text == null) {
                        blocking.execute(trace.wrap(() -> handleBlocking(request, response, callback, routed)));
                        return;
                    }
                    request.setAttribute(AccessLog.CACHE_RESULT, "hit");
                    sendBytes(request, response, callback, NARINFO_TYPE, text);
                });
            }
            case Route.CacheInfo ignored -> sendBytes(request, response, callback, CACHE_INFO_TYPE, cacheInfo);
            case Route.Healthz ignored -> sendBytes(request, response, callback, "text/plain", HEALTHY);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void handleBlocking(Request request, Response response, Callback callback, Route.Routed routed) {
        try {
            dispatch(request, response, callback, routed);
        } catch (IOException | RuntimeException e) {
            log.error("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            if (!response.isCommitted()) {
                // The cause is in the log; exception text names files, hosts and queries that are not the client's business.
                sendText(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal error");
            } else {
                callback.failed(e);
            }
        }
    }

    private void dispatch(Request request, Response response, Callback callback, Route.Routed routed) throws IOException {
        String method = request.getMethod();
        boolean uploadOnly = routed.upload();
        Route route = routed.route();
        boolean read = HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);

        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (read ? !exemptFromToken(route) && !access.mayRead(authorization) : !access.mayWrite(authorization)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer, Basic realm=\"ncps\"");
            refuseUnread(request, response, callback, HttpStatus.UNAUTHORIZED_401, "missing or wrong " + (read ? "access" : "upload")
                    + " token (Bearer, or Basic with the token as password)");
            return;
        }
        switch (route) {
            case Route.Invalid invalid -> sendText(response, callback, invalid.status(), invalid.reason());
            case Route.NarInfo narInfo -> {
                if (refuse(request, response, callback, uploadOnly)) {
                    return;
                }
                narInfo(request, response, callback, narInfo.hash(), uploadOnly);
            }
            case Route.Nar nar -> {
                if (refuse(request, response, callback, uploadOnly)) {
                    return;
                }
                nar(request, response, callback, nar, uploadOnly);
            }
            case Route.Listing listing when read && !uploadOnly -> listing(request, response, callback, listing.hash());
            case Route.Pin pin when !uploadOnly -> pins.pin(request, response, callback, pin.hash());
            case Route.PinList ignored when read && !uploadOnly -> pins.list(request, response, callback);
            case Route.Trace trace -> {
                if (refuse(request, response, callback, uploadOnly)) {
                    return;
                }
                buildTrace(request, response, callback, trace, uploadOnly);
            }
            case Route.Log buildLog -> {
                if (refuse(request, response, callback, uploadOnly)) {
                    return;
                }
                buildLog(request, response, callback, buildLog.drvBaseName(), uploadOnly);
            }
            default -> {
                if (!read) {
                    sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed here");
                } else if (uploadOnly && !(route instanceof Route.CacheInfo)) {
                    sendText(response, callback, HttpStatus.NOT_FOUND_404, "not found");
                } else {
                    fixedRoute(request, response, callback, route);
                }
            }
        }
    }

    private boolean refuse(Request request, Response response, Callback callback, boolean uploadOnly) {
        String reason = refusal(request.getMethod(), uploadOnly);
        if (reason != null) {
            refuseUnread(request, response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, reason);
        }
        return reason != null;
    }

    /** Answers without reading the body; the connection cannot carry another request after it, and the client must know. */
    private static void refuseUnread(Request request, Response response, Callback callback, int status, String reason) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        sendText(response, callback, status, reason);
    }

    /**
     * Routes load balancers, probes and scrapers call without credentials. {@code /nix-cache-info} is among
     * them because it is the health check the HA guide gives load balancers and Kubernetes, and its three
     * lines are the same for every Nix cache: it reveals nothing that {@code /healthz} does not.
     */
    private static boolean exemptFromToken(Route route) {
        return route instanceof Route.Healthz || route instanceof Route.Readyz || route instanceof Route.Metrics
                || route instanceof Route.CacheInfo;
    }

    private void fixedRoute(Request request, Response response, Callback callback, Route route) throws IOException {
        switch (route) {
            case Route.Root ignored -> sendBytes(request, response, callback, JSON_TYPE, rootJson);
            case Route.CacheInfo ignored -> sendBytes(request, response, callback, CACHE_INFO_TYPE, cacheInfo);
            case Route.PubKey ignored -> sendBytes(request, response, callback, "text/plain", publicKey);
            case Route.Healthz ignored -> sendBytes(request, response, callback, "text/plain", HEALTHY);
            case Route.Readyz ignored -> {
                Optional<String> reason = unready.get();
                if (reason.isEmpty()) {
                    sendBytes(request, response, callback, "text/plain", "ready\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, reason.get());
                }
            }
            case Route.Metrics ignored -> {
                if (exposition.isEmpty()) {
                    sendText(response, callback, HttpStatus.NOT_FOUND_404, "metrics are disabled (--prometheus-enabled)");
                    return;
                }
                MetricsWriter metrics = exposition.get();
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
                OutputStream out = Content.Sink.asOutputStream(response);
                metrics.write(out);
                out.close();
                callback.succeeded();
            }
            default -> sendText(response, callback, HttpStatus.NOT_FOUND_404, "not found");
        }
    }

    // ---------------------------------------------------------------- narinfo

    private void narInfo(Request request, Response response, Callback callback, String hash, boolean uploadOnly)
            throws IOException {
        String method = request.getMethod();
        if (HttpMethod.PUT.is(method)) {
            String body = smallBody(request, response, callback, MAX_NARINFO_BYTES, "a narinfo");
            if (body == null) {
                return;
            }
            answer(response, callback, uploads.putNarInfo(hash, body));
            return;
        }
        if (HttpMethod.DELETE.is(method)) {
            answer(response, callback, uploads.deleteNarInfo(hash));
            return;
        }
        switch (cache.narInfo(hash, uploadOnly)) {
            case Cache.NarInfoFound found -> {
                request.setAttribute(AccessLog.CACHE_RESULT, found.upstreamHost() == null ? "hit" : "miss");
                if (found.upstreamHost() != null) {
                    request.setAttribute(AccessLog.UPSTREAM, found.upstreamHost());
                }
                sendBytes(request, response, callback, NARINFO_TYPE, found.text());
            }
            case Cache.NotFound notFound -> sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    /** A PUT body of at most {@code max} bytes as UTF-8, or null after answering 413 for a larger one. */
    private static String smallBody(Request request, Response response, Callback callback, int max, String what)
            throws IOException {
        String tooLarge = what + " is at most " + max + " bytes";
        if (request.getLength() > max) {
            refuseUnread(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge);
            return null;
        }
        byte[] body = Content.Source.asInputStream(request).readNBytes(max + 1);
        if (body.length > max) {
            refuseUnread(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, tooLarge);
            return null;
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private void listing(Request request, Response response, Callback callback, String hash) throws IOException {
        switch (cache.listing(hash)) {
            case Cache.ListingStored stored -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
                sendBlob(response, callback, stored.blob(), request.getHeaders().get(HttpHeader.RANGE),
                        HttpMethod.HEAD.is(request.getMethod()));
            }
            case Cache.ListingRelayed relayed -> sendBytes(request, response, callback, JSON_TYPE, relayed.json());
            case Cache.NotFound notFound -> sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    private void buildTrace(Request request, Response response, Callback callback, Route.Trace trace, boolean uploadOnly)
            throws IOException {
        String method = request.getMethod();
        if (HttpMethod.PUT.is(method)) {
            String body = smallBody(request, response, callback, MAX_BUILD_TRACE_BYTES, "a build trace entry");
            if (body == null) {
                return;
            }
            answer(response, callback, uploads.putBuildTrace(trace.drvPath(), trace.outputName(), body));
            return;
        }
        if (HttpMethod.DELETE.is(method)) {
            sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "DELETE is not allowed on a build trace entry");
            return;
        }
        switch (cache.buildTrace(trace.drvPath(), trace.outputName(), uploadOnly)) {
            case Cache.BuildTraceFound found -> {
                request.setAttribute(AccessLog.CACHE_RESULT, found.upstreamHost() == null ? "hit" : "miss");
                if (found.upstreamHost() != null) {
                    request.setAttribute(AccessLog.UPSTREAM, found.upstreamHost());
                }
                sendBytes(request, response, callback, JSON_TYPE,
                        found.trace().valueJson().getBytes(StandardCharsets.UTF_8));
            }
            case Cache.NotFound notFound -> sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    private void buildLog(Request request, Response response, Callback callback, String drv, boolean uploadOnly)
            throws IOException {
        String method = request.getMethod();
        if (HttpMethod.PUT.is(method)) {
            if (request.getLength() > Cache.MAX_BUILD_LOG_BYTES) {
                refuseUnread(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                        "a build log may be at most " + Cache.MAX_BUILD_LOG_BYTES + " bytes");
                return;
            }
            if (!cache.putBuildLog(drv, Content.Source.asInputStream(request))) {
                sendText(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413,
                        "a build log may be at most " + Cache.MAX_BUILD_LOG_BYTES + " bytes");
                return;
            }
            sendEmpty(response, callback, HttpStatus.NO_CONTENT_204);
            return;
        }
        if (HttpMethod.DELETE.is(method) || uploadOnly) {
            sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed on a build log here");
            return;
        }
        switch (cache.buildLog(drv)) {
            case Cache.BuildLogFound found -> {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, TEXT_TYPE);
                sendBlob(response, callback, found.blob(), request.getHeaders().get(HttpHeader.RANGE), HttpMethod.HEAD.is(method));
            }
            case Cache.NotFound notFound -> sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    private static void answer(Response response, Callback callback, Uploads.Outcome outcome) {
        switch (outcome) {
            case Uploads.Done ignored -> sendEmpty(response, callback, HttpStatus.NO_CONTENT_204);
            case Uploads.Absent ignored -> sendEmpty(response, callback, HttpStatus.NOT_FOUND_404);
            case Uploads.Rejected rejected -> sendText(response, callback, rejected.status(), rejected.reason());
        }
    }

    /** Why {@code method} may not be used on a narinfo or NAR path, or null when it may. */
    private String refusal(String method, boolean uploadOnly) {
        if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            return null;
        }
        if (HttpMethod.PUT.is(method)) {
            return !uploadOnly ? "PUT is only accepted under /upload"
                    : settings.allowPut() ? null : "PUT is disabled (--cache-allow-put-verb)";
        }
        if (HttpMethod.DELETE.is(method)) {
            return settings.allowDelete() ? null : "DELETE is disabled (--cache-allow-delete-verb)";
        }
        return method + " is not allowed here";
    }

    // ---------------------------------------------------------------- NAR

    private void nar(Request request, Response response, Callback callback, Route.Nar route, boolean uploadOnly)
            throws IOException {
        String method = request.getMethod();
        if (HttpMethod.PUT.is(method)) {
            if (request.getLength() > uploads.maxNarSize()) {
                refuseUnread(request, response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, uploads.tooLarge());
                return;
            }
            switch (uploads.putNar(route.key(), Content.Source.asInputStream(request))) {
                case Uploads.Rejected rejected -> refuseUnread(request, response, callback, rejected.status(), rejected.reason());
                case Uploads.Outcome outcome -> answer(response, callback, outcome);
            }
            return;
        }
        if (HttpMethod.DELETE.is(method)) {
            answer(response, callback, uploads.deleteNar(route.key()));
            return;
        }
        boolean head = HttpMethod.HEAD.is(method);
        String rangeHeader = request.getHeaders().get(HttpHeader.RANGE);
        Cache.Mode mode = request.getHeaders().contains(DownloadCoordinator.PEER_HEADER) ? Cache.Mode.PEER
                : uploadOnly ? Cache.Mode.UPLOAD_ONLY : Cache.Mode.SUBSTITUTE;
        try {
            lookUpAndAnswerNar(request, response, callback, route, mode, rangeHeader, head);
        } catch (NoSuchFileException deleted) {
            // LRU deleted the stored object between the lookup and the open: the next lookup finds it gone
            // and fetches it again, where a 500 would cost the client a retry.
            if (response.isCommitted()) {
                throw deleted;
            }
            for (HttpHeader stale : List.of(HttpHeader.CONTENT_LENGTH, HttpHeader.CONTENT_RANGE, HttpHeader.CONTENT_ENCODING,
                    HttpHeader.ACCEPT_RANGES)) {
                response.getHeaders().remove(stale);
            }
            lookUpAndAnswerNar(request, response, callback, route, mode, rangeHeader, head);
        }
    }

    private void lookUpAndAnswerNar(Request request, Response response, Callback callback, Route.Nar route, Cache.Mode mode,
                                    String rangeHeader, boolean head) throws IOException {
        Cache.NarResult result = lookUpNar(route, mode, rangeHeader, head);
        try {
            answerNar(request, response, callback, route, result, rangeHeader, head);
        } finally {
            // A stored object's S3 response that the answer did not take (HEAD, 416, empty range) is dropped.
            if (result instanceof Cache.NarStored stored) {
                stored.blob().close();
            }
        }
    }

    private Cache.NarResult lookUpNar(Route.Nar route, Cache.Mode mode, String rangeHeader, boolean head) {
        return head ? cache.narHead(route.key(), mode) : cache.nar(route.key(), resumeOffset(rangeHeader), mode);
    }

    private void answerNar(Request request, Response response, Callback callback, Route.Nar route, Cache.NarResult result,
                           String rangeHeader, boolean head) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, NAR_TYPE);
        boolean codable = settings.transparentCompression() && route.key().compression() == Compression.NONE;
        if (codable) {
            response.getHeaders().put(HttpHeader.VARY, "Accept-Encoding");
        }
        // HEAD decides the coding exactly as GET does, so that both answer with the same headers.
        ContentCoding coding = !codable || rangeHeader != null ? null
                : ContentCoding.negotiate(request.getHeaders().get(HttpHeader.ACCEPT_ENCODING));
        if (coding != null && (result instanceof Cache.NarStored || result instanceof Cache.NarStreaming)) {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, coding.token());
            if (head) {
                if (result instanceof Cache.NarStreaming streaming) {
                    streaming.body().close();
                }
                // Committing before the last write keeps Jetty from announcing the empty body's length, as GET has none.
                response.write(false, BufferUtil.EMPTY_BUFFER,
                        Callback.from(() -> response.write(true, BufferUtil.EMPTY_BUFFER, callback), callback::failed));
                return;
            }
            boolean stored = result instanceof Cache.NarStored;
            InputStream body = stored ? ((Cache.NarStored) result).blob().open(0) : ((Cache.NarStreaming) result).body();
            copy(response, callback, body, -1, coding, stored ? ReadFailure.STORAGE : ReadFailure.DOWNLOAD);
            return;
        }
        switch (result) {
            case Cache.NarStored stored -> {
                request.setAttribute(AccessLog.CACHE_RESULT, "hit");
                sendBlob(response, callback, stored.blob(), rangeHeader, head);
            }
            case Cache.NarStreaming streaming -> {
                // Not held yet: streamed while this instance, or the peer that owns the download, fetches it.
                request.setAttribute(AccessLog.CACHE_RESULT, "miss");
                sendStreaming(response, callback, streaming, head);
            }
            case Cache.NotFound notFound -> sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    /** A download in progress can only be resumed from an offset ({@code bytes=N-}), which is what Nix sends. */
    private static long resumeOffset(String rangeHeader) {
        if (rangeHeader == null || !rangeHeader.startsWith("bytes=") || !rangeHeader.endsWith("-") || rangeHeader.indexOf(',') >= 0) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(rangeHeader.substring(6, rangeHeader.length() - 1).trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void sendBlob(Response response, Callback callback, Store.Blob blob, String rangeHeader, boolean head) throws IOException {
        long size = blob.size();
        long offset = 0;
        long length = size;
        response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        switch (ByteRange.parse(rangeHeader, size)) {
            case ByteRange.Whole ignored -> response.setStatus(HttpStatus.OK_200);
            case ByteRange.Partial partial -> {
                response.setStatus(HttpStatus.PARTIAL_CONTENT_206);
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, partial.range().contentRange(size));
                offset = partial.range().first();
                length = partial.range().length();
            }
            case ByteRange.Unsatisfiable ignored -> {
                response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                sendText(response, callback, HttpStatus.RANGE_NOT_SATISFIABLE_416, "range outside the " + size + " bytes of this NAR");
                return;
            }
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        if (head || length == 0) {
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            return;
        }
        Path file = blob.localFile().orElse(null);
        if (file == null) {
            copy(response, callback, blob.open(offset), length, null, ReadFailure.STORAGE);
        } else if (length < MAP_THRESHOLD) {
            response.write(true, readSmall(file, offset, (int) length), callback);
        } else if (response.getRequest().getConnectionMetaData().getConnection().getEndPoint() instanceof SendfileEndPoint
                sendfile && Thread.currentThread().isVirtual()) {
            try {
                sendfile.send(response, file, offset, length);
            } catch (IOException e) {
                if (!response.isCommitted()) {
                    // Nothing sent yet (the file went away after the lookup): the caller looks the NAR up again.
                    throw e;
                }
                // Mostly a client that went away; the response's failure is its end, as with any write.
                callback.failed(e);
                return;
            }
            callback.succeeded();
        } else {
            MappedFileWriter.write(response, callback, file, offset, length, MAP_WINDOW);
        }
    }

    private static ByteBuffer readSmall(Path file, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("file " + file + " is shorter than its recorded size");
                }
            }
        }
        return buffer.flip();
    }

    private void sendStreaming(Response response, Callback callback, Cache.NarStreaming streaming, boolean head)
            throws IOException {
        long size = streaming.size();
        long offset = streaming.offset();
        if (offset > 0) {
            response.setStatus(HttpStatus.PARTIAL_CONTENT_206);
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + offset + "-" + (size - 1) + "/" + size);
        } else {
            response.setStatus(HttpStatus.OK_200);
        }
        if (size >= 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size - offset);
            // Without it Nix does not resume a transfer that broke midway (e.g. this instance died) but fails.
            response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        }
        if (head) {
            streaming.body().close();
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
            return;
        }
        copy(response, callback, streaming.body(), size >= 0 ? size - offset : -1, null, ReadFailure.DOWNLOAD);
    }

    /** How a body that cannot be read before its first byte is answered: in our terms, the cause goes to the log. */
    private enum ReadFailure {
        STORAGE(HttpStatus.SERVICE_UNAVAILABLE_503, "cannot read the stored NAR"),
        DOWNLOAD(HttpStatus.BAD_GATEWAY_502, "the download of this NAR from upstream failed");

        final int status;
        final String reason;

        ReadFailure(int status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    /**
     * Copies a body to the client. On a read failure the response is failed, not completed: the client
     * sees a broken transfer rather than a short body that looks whole (docs/design/architecture.md, invariant 1). A failure before
     * the first byte still lets us answer properly, as {@code failure} says.
     */
    private static void copy(Response response, Callback callback, InputStream body, long expected, ContentCoding coding,
                             ReadFailure failure) throws IOException {
        OutputStream sink = Content.Sink.asOutputStream(response);
        OutputStream out = coding == null ? sink : coding.wrap(sink);
        byte[] buffer = new byte[COPY_BUFFER];
        long sent = 0;
        long limit = expected >= 0 ? expected : Long.MAX_VALUE;
        try (InputStream in = body) {
            int n;
            while (sent < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - sent))) > 0) {
                out.write(buffer, 0, n);
                sent += n;
            }
        } catch (IOException e) {
            if (sent == 0 && !response.isCommitted()) {
                int status = e instanceof DownloadFailedException failed ? failed.status() : failure.status;
                log.warn("answering {}: {}", status, e.getMessage());
                sendText(response, callback, status, e instanceof DownloadFailedException ? e.getMessage() : failure.reason);
                return;
            }
            log.warn("aborting response after {} bytes: {}", sent, e.getMessage());
            callback.failed(e);
            return;
        }
        if (expected >= 0 && sent != expected) {
            callback.failed(new IOException("sent " + sent + " bytes of " + expected));
            return;
        }
        out.close();
        callback.succeeded();
    }

    // ---------------------------------------------------------------- plain responses

    static void sendBytes(Request request, Response response, Callback callback, String contentType, byte[] body) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
    }

    /** An error or status answer: one line of plain text saying why. */
    static void sendText(Response response, Callback callback, int status, String reason) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        response.getHeaders().remove(HttpHeader.CONTENT_ENCODING);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TEXT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(response.getRequest().getMethod());
        response.write(true, head ? BufferUtil.EMPTY_BUFFER : ByteBuffer.wrap(body), callback);
    }

    static void sendEmpty(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.write(true, BufferUtil.EMPTY_BUFFER, callback);
    }
}
