package dev.ncps.upstream;

import dev.ncps.cache.UpstreamSource;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Sizes;
import dev.ncps.nix.CacheInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;
import dev.ncps.nix.Streams;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All configured upstream caches: narinfo lookups across them, NAR downloads from one of them, health.
 *
 * <pre>
 *  lookupNarInfo(h) ──► usable upstreams by priority (not unhealthy, breaker not open, no recent 404 for h)
 *                        │ ask the best; if it has not answered within hedgeDelay (or said no), ask the next too
 *                        ▼
 *                  first verified narinfo ──► Found     all usable said 404 ──► NotFound
 *                  anything else (5xx, timeout, connection error, rejected narinfo, nobody usable) ──► Unavailable
 * </pre>
 *
 * Health: every upstream starts UNKNOWN, which is usable, so the first miss after boot is served. A
 * {@code nix-cache-info} check runs at {@link #start()} and then every {@code healthCheckInterval}; a failed check
 * makes the upstream UNHEALTHY (skipped) until a check passes. A request that finds an upstream down (connection
 * error, timeout, 5xx) checks it at once, so the next misses skip it without waiting for the period.
 * Independently, a per-upstream circuit breaker skips an upstream for a cooldown after consecutive request
 * failures; a check that sees an UNHEALTHY upstream back ends that cooldown.
 *
 * <p>Thread-safe. Lookups block the calling (virtual) thread; each upstream request runs on its own virtual thread.
 */
public final class Upstreams implements UpstreamSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Upstreams.class);
    private static final int MAX_NARINFO_BYTES = 1 << 20;
    /**
     * A listing names every file of a NAR, about 90 bytes each. It is parsed whole to be checked, at several times its
     * size in the heap, so a longer one (more than some 45,000 files) is not relayed: ncps lists the NAR itself.
     */
    private static final int MAX_LISTING_BYTES = 4 << 20;
    /** A build trace entry is a path and a few signatures. */
    private static final int MAX_BUILD_TRACE_BYTES = 64 * 1024;
    private static final int MAX_CACHE_INFO_BYTES = 64 * 1024;

    private final List<Upstream> upstreams;
    private final UpstreamOptions options;
    private final Clock clock;
    private final UpstreamListener listener;
    private final UpstreamHttp http;
    private final NegativeCache negativeCache;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    /** Upstreams with a re-check running, so a burst of failing requests starts one check, not one each. */
    private final Set<Upstream> rechecking = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService healthScheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("ncps-upstream-health").factory());

    /**
     * @throws IllegalArgumentException when an upstream URL is configured twice
     */
    public Upstreams(List<UpstreamSpec> specs, UpstreamOptions options, Clock clock, UpstreamListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        Set<URI> seen = new HashSet<>();
        List<Upstream> list = new ArrayList<>();
        for (UpstreamSpec spec : specs) {
            if (!seen.add(spec.url())) {
                throw new IllegalArgumentException("upstream " + MaskedUri.of(spec.url()) + " is configured twice");
            }
            list.add(new Upstream(spec, list.size(),
                    new UpstreamBreaker(options.breakerFailureThreshold(), options.breakerCooldown(), clock)));
        }
        this.upstreams = List.copyOf(list);
        listener.onConfigured(this.upstreams);
        this.negativeCache = new NegativeCache(options.negativeCacheTtl(), options.negativeCacheMaxEntries(), clock);
        this.http = new UpstreamHttp(options, loadNetrc(options.netrcFile()), listener);
    }

    /** Starts the HTTP client and the health checks; the first check runs in the background. */
    public void start() {
        http.start();
        healthScheduler.scheduleWithFixedDelay(this::checkHealthQuietly, 0,
                options.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The upstreams in configuration order. */
    public List<Upstream> upstreams() {
        return upstreams;
    }

    public List<UpstreamStatus> status() {
        return upstreams.stream().map(Upstream::status).toList();
    }

    /**
     * Finds the narinfo of {@code hash} (the 32-character hash part of a store path) at the usable upstreams.
     *
     * An interrupt (shutdown) ends the lookup as unavailable, the thread's interrupt flag kept.
     */
    @Override
    public Lookup lookupNarInfo(String hash) {
        if (!StorePath.isValidHashPart(hash)) {
            throw new IllegalArgumentException("'" + hash + "' is not a store path hash (32 nix32 characters)");
        }
        if (upstreams.isEmpty()) {
            return new NotFound();
        }
        List<Upstream> usable = usableByPriority();
        if (usable.isEmpty()) {
            return new Unavailable("no usable upstream: " + unusableReasons(), false);
        }
        List<Upstream> candidates = usable.stream()
                .filter(upstream -> !negativeCache.isKnownMissing(upstream, hash))
                .toList();
        if (candidates.isEmpty()) {
            return new NotFound();
        }
        return new Race(hash, candidates).run();
    }

    /**
     * The build log of a derivation ({@code drvBaseName}, e.g. {@code <hash>-hello.drv}) from the first usable
     * upstream, by priority, that answers with one; empty when none has. Logs are not signed and ncps only relays
     * them, so an upstream that fails before answering is logged and skipped rather than reported. The body is left
     * to the caller, who bounds it. An interrupt (shutdown) ends it empty.
     */
    @Override
    public Optional<InputStream> openLog(String drvBaseName) {
        String relative = "log/" + drvBaseName;
        for (Upstream upstream : usableByPriority()) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            UpstreamHttp.Exchange exchange;
            try {
                exchange = http.get(upstream, upstream.resolve(relative), false);
            } catch (UpstreamException e) {
                log.warn("upstream {}: build log {}: {}", upstream, relative, e.getMessage());
                continue;
            }
            if (exchange.status() == 200) {
                return Optional.of(new LogBody(upstream, exchange));
            }
            exchange.discard();
            exchange.close();
        }
        return Optional.empty();
    }

    /** A build log being received: a failed read names the upstream by host only, for clients. */
    private static final class LogBody extends FilterInputStream {
        private final Upstream upstream;
        private final UpstreamHttp.Exchange exchange;

        LogBody(Upstream upstream, UpstreamHttp.Exchange exchange) {
            super(exchange.body());
            this.upstream = upstream;
            this.exchange = exchange;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (IOException e) {
                UpstreamException failure = UpstreamHttp.failure(exchange.uri(), "reading the build log", e);
                log.warn("upstream {}: {}", upstream, failure.getMessage());
                boolean timedOut = failure.kind() == UpstreamException.Kind.TIMEOUT;
                throw new FetchException("upstream " + upstream.hostname() + (timedOut ? " timed out" : " failed")
                        + " while sending the build log", timedOut, failure);
            }
        }

        @Override
        public void close() {
            exchange.close();
        }
    }

    /**
     * The {@code <hash>.ls} listing of a path from the first usable upstream, by priority, that has one; as unsigned
     * as a build log, so failures are logged and skipped the same way.
     */
    @Override
    public Optional<String> fetchListing(String hash) {
        if (!StorePath.isValidHashPart(hash)) {
            throw new IllegalArgumentException("'" + hash + "' is not a store path hash (32 nix32 characters)");
        }
        return firstText(hash + ".ls", MAX_LISTING_BYTES, "listing");
    }

    private Optional<String> firstText(String relative, int maxBytes, String what) {
        for (Upstream upstream : usableByPriority()) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            URI uri = upstream.resolve(relative);
            try (UpstreamHttp.Exchange exchange = http.get(upstream, uri, false)) {
                if (exchange.status() == 200) {
                    return Optional.of(exchange.readText(maxBytes));
                }
                exchange.discard();
            } catch (UpstreamException e) {
                log.warn("upstream {}: {} {}: {}", upstream, what, relative, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The build trace entry of a derivation output from the first usable upstream, by priority, that serves one
     * signed by a key configured for it (any entry, when it is trusted without signatures). An entry that does
     * not verify is logged and skipped, like a 404. Empty when no upstream has a usable one.
     *
     * @throws UpstreamException TIMEOUT or FAILED when none had it and at least one could not answer (so the miss
     *                           is not definite); also when the calling thread is interrupted
     */
    private Optional<TraceFound> findBuildTrace(StorePath drvPath, String outputName) throws UpstreamException {
        UpstreamException unanswered = null;
        for (Upstream upstream : usableByPriority()) {
            if (Thread.currentThread().isInterrupted()) {
                throw new UpstreamException(UpstreamException.Kind.FAILED, "interrupted");
            }
            URI uri = upstream.resolve("build-trace-v2/" + drvPath.baseName() + "/" + outputName + ".doi");
            try (UpstreamHttp.Exchange exchange = http.get(upstream, uri, false)) {
                int status = exchange.status();
                if (status == 200) {
                    BuildTrace trace = BuildTrace.parse(drvPath, outputName, exchange.readText(MAX_BUILD_TRACE_BYTES));
                    if (vouchesFor(upstream, trace)) {
                        return Optional.of(new TraceFound(trace, upstream.hostname()));
                    }
                    log.warn("upstream {}: build trace {}/{}: refused, no signature verifies with its keys",
                            upstream, drvPath.baseName(), outputName);
                } else if (isNotFound(status)) {
                    exchange.discard();
                } else {
                    exchange.discard();
                    String reason = MaskedUri.of(uri) + ": unexpected HTTP " + status;
                    recordStatusFailure(upstream, status, reason);
                    unanswered = new UpstreamException(UpstreamException.Kind.FAILED, upstream.hostname() + ": HTTP " + status);
                }
            } catch (NixParseException e) {
                log.warn("upstream {}: build trace {}/{}: refused: {}", upstream, drvPath.baseName(), outputName, e.getMessage());
            } catch (UpstreamException e) {
                recordFailure(upstream, e);
                log.warn("upstream {}: build trace {}/{}: {}", upstream, drvPath.baseName(), outputName, e.getMessage());
                unanswered = e;
            }
        }
        if (unanswered != null) {
            throw unanswered;
        }
        return Optional.empty();
    }

    /** The cache's view of {@link #findBuildTrace}: a definite miss, or a reason worded for clients. */
    @Override
    public TraceLookup lookupBuildTrace(StorePath drvPath, String outputName) {
        try {
            return findBuildTrace(drvPath, outputName).<TraceLookup>map(found -> found).orElseGet(NotFound::new);
        } catch (UpstreamException e) {
            return new Unavailable(e.getMessage(), e.kind() == UpstreamException.Kind.TIMEOUT);
        }
    }

    private static boolean vouchesFor(Upstream upstream, BuildTrace trace) {
        if (upstream.trustsUnsigned()) {
            return true;
        }
        String fingerprint = trace.fingerprint();
        return trace.signatures().stream().anyMatch(signature -> upstream.keys().stream().anyMatch(key -> key.verify(fingerprint, signature)));
    }

    private List<Upstream> usableByPriority() {
        return upstreams.stream()
                .filter(Upstream::isUsable)
                .sorted(Comparator.comparingInt(Upstream::priority).thenComparingInt(Upstream::order))
                .toList();
    }

    /**
     * The cache's view of {@link #openNar(Upstream, URI, long)}, at the upstream {@code narUri} belongs to. Both
     * exceptions are worded for clients; the detail (URL, status) stays in the cause and the log.
     */
    @Override
    public InputStream openNar(URI narUri, long expectedSize) throws IOException {
        Upstream upstream = upstreamOf(narUri);
        NarResponse response;
        try {
            response = openNar(upstream, narUri, expectedSize);
        } catch (UpstreamException e) {
            String reason = e.clientReason().orElse("upstream " + upstream.hostname() + switch (e.kind()) {
                case NOT_FOUND -> " does not have this NAR";
                case TIMEOUT -> " timed out";
                case FAILED -> " failed";
            });
            if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                throw new NarNotFoundException(reason, e);
            }
            throw new FetchException(reason, e.kind() == UpstreamException.Kind.TIMEOUT, e);
        }
        return new FilterInputStream(response.body()) {
            @Override
            public void close() {
                response.close();
            }
        };
    }

    /**
     * The configured upstream a NAR URL belongs to (its breaker and credentials apply): the one whose
     * base URL prefixes it, else the one on the same host, else the first (the URL was recorded under
     * an earlier configuration).
     */
    private Upstream upstreamOf(URI narUri) {
        Upstream sameHost = null;
        for (Upstream upstream : upstreams) {
            if (narUri.toString().startsWith(upstream.url().toString())) {
                return upstream;
            }
            if (sameHost == null && upstream.url().getHost().equalsIgnoreCase(narUri.getHost())) {
                sameHost = upstream;
            }
        }
        return sameHost != null ? sameHost : upstreams.getFirst();
    }

    /**
     * Starts downloading a NAR (as named by a {@link Found}) with {@code Accept-Encoding: identity}.
     *
     * @param expectedSize the narinfo's FileSize, or -1 when unknown: a different Content-Length fails here, a
     *                     different number of body bytes fails the last read
     * @throws UpstreamException NOT_FOUND for 404/403/410, TIMEOUT, or FAILED (other status, connection error)
     */
    NarResponse openNar(Upstream upstream, URI narUri, long expectedSize) throws UpstreamException {
        Instant start = clock.instant();
        UpstreamHttp.Exchange exchange;
        try {
            exchange = http.get(upstream, narUri, true);
        } catch (UpstreamException e) {
            recordFailure(upstream, e);
            listener.narFetched(upstream, since(start), outcomeOf(e));
            throw e;
        }
        try {
            checkNarResponse(upstream, exchange, expectedSize);
        } catch (UpstreamException e) {
            exchange.close();
            int status = exchange.status();
            listener.narFetched(upstream, since(start), status == 200 ? UpstreamListener.Outcome.REJECTED
                    : isNotFound(status) ? UpstreamListener.Outcome.NOT_FOUND : UpstreamListener.Outcome.BAD_STATUS);
            throw e;
        }
        upstream.breaker().recordSuccess();
        listener.narFetched(upstream, since(start), UpstreamListener.Outcome.FOUND);
        return new NarResponse(upstream, exchange, expectedSize);
    }

    private void checkNarResponse(Upstream upstream, UpstreamHttp.Exchange exchange, long expectedSize)
            throws UpstreamException {
        int status = exchange.status();
        if (status != 200) {
            exchange.discard();
            if (isNotFound(status)) {
                upstream.breaker().recordSuccess();
                throw new UpstreamException(UpstreamException.Kind.NOT_FOUND,
                        MaskedUri.of(exchange.uri()) + ": HTTP " + status);
            }
            UpstreamException e = new UpstreamException(UpstreamException.Kind.FAILED,
                    MaskedUri.of(exchange.uri()) + ": unexpected HTTP " + status);
            recordStatusFailure(upstream, status, e.getMessage());
            throw e;
        }
        String encoding = exchange.headers().get(HttpHeader.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            throw new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(exchange.uri())
                    + ": Content-Encoding " + encoding + " although identity was asked for");
        }
        long length = exchange.headers().getLongField(HttpHeader.CONTENT_LENGTH);
        if (expectedSize >= 0 && length >= 0 && length != expectedSize) {
            throw new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(exchange.uri())
                    + ": Content-Length " + length + " but the narinfo says FileSize " + expectedSize);
        }
    }

    /** Runs a health check of every upstream now and waits for them all. */
    public void checkHealth() {
        List<Future<?>> checks = upstreams.stream().<Future<?>>map(u -> workers.submit(() -> check(u))).toList();
        for (Future<?> check : checks) {
            try {
                check.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                log.error("upstream health check failed unexpectedly", e.getCause());
            }
        }
    }

    @Override
    public void close() {
        healthScheduler.shutdownNow();
        workers.shutdownNow();
        http.close();
    }

    private void checkHealthQuietly() {
        try {
            checkHealth();
        } catch (RuntimeException e) {
            log.error("upstream health checks failed unexpectedly", e);
        }
    }

    /** A request found {@code upstream} down: check it now rather than at the next period. */
    private void recheck(Upstream upstream) {
        if (!rechecking.add(upstream)) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    check(upstream);
                } finally {
                    rechecking.remove(upstream);
                }
            });
        } catch (RejectedExecutionException closing) {
            rechecking.remove(upstream);
        }
    }

    private void check(Upstream upstream) {
        Instant start = clock.instant();
        URI uri = upstream.resolve("nix-cache-info");
        String error = null;
        UpstreamListener.Outcome outcome = UpstreamListener.Outcome.FOUND;
        try (UpstreamHttp.Exchange exchange = http.get(upstream, uri, false)) {
            if (exchange.status() != 200) {
                exchange.discard();
                error = MaskedUri.of(uri) + ": HTTP " + exchange.status();
                outcome = UpstreamListener.Outcome.BAD_STATUS;
            } else {
                CacheInfo info = CacheInfo.parse(exchange.readText(MAX_CACHE_INFO_BYTES));
                if (info.storeDir() != null && !info.storeDir().equals(StorePath.STORE_DIR)) {
                    error = MaskedUri.of(uri) + ": StoreDir is " + info.storeDir() + ", not " + StorePath.STORE_DIR;
                    outcome = UpstreamListener.Outcome.REJECTED;
                } else {
                    upstream.setDiscoveredPriority(info.priority() > 0 ? info.priority() : Upstream.DEFAULT_PRIORITY);
                }
            }
        } catch (UpstreamException e) {
            error = e.getMessage();
            outcome = outcomeOf(e);
        } catch (NixParseException e) {
            error = MaskedUri.of(uri) + ": " + e.getMessage();
            outcome = UpstreamListener.Outcome.REJECTED;
        }
        listener.healthChecked(upstream, since(start), outcome);
        Upstream.Health health = error == null ? Upstream.Health.HEALTHY : Upstream.Health.UNHEALTHY;
        // A check that saw the upstream down and now sees it up ends the breaker's cooldown too, so misses work
        // again within one check period. A passing check alone does not: an upstream whose nix-cache-info answers
        // while its narinfos hang must stay skipped for the cooldown.
        if (error == null && upstream.health() == Upstream.Health.UNHEALTHY) {
            upstream.breaker().recordSuccess();
        } else if (error != null) {
            upstream.setLastError(error);
        }
        if (upstream.setHealth(health)) {
            if (error == null) {
                log.info("upstream {} is healthy (priority {})", upstream, upstream.priority());
            } else {
                log.warn("upstream {} is unhealthy: {}", upstream, error);
            }
            listener.healthChanged(upstream, health);
        }
    }

    /**
     * Why no upstream can be asked, naming each by its host only: the text reaches clients. The errors behind
     * it were logged when the health check or the breaker changed.
     */
    private String unusableReasons() {
        List<String> reasons = new ArrayList<>();
        for (Upstream upstream : upstreams) {
            UpstreamStatus status = upstream.status();
            String why = status.breakerOpen() ? "failing" : status.health().name().toLowerCase(java.util.Locale.ROOT);
            reasons.add(upstream.hostname() + " " + why);
        }
        return String.join(", ", reasons);
    }

    /** What one narinfo request to one upstream gave. */
    private sealed interface Attempt {}

    private record Hit(Found found) implements Attempt {}

    private record Miss() implements Attempt {}

    /** A narinfo the upstream served but that failed verification; clients learn the upstream and the kind. */
    private record Refusal(Upstream upstream, NarInfoCheck.Problem problem) implements Attempt {
        String publicReason() {
            return "upstream " + upstream.hostname() + " served a narinfo that failed verification ("
                    + problem.label() + ")";
        }
    }

    /** {@code detail} is for the log (URLs masked); clients learn only which upstream failed or timed out. */
    private record Failure(Upstream upstream, String detail, boolean timeout) implements Attempt {
        String publicReason() {
            return "upstream " + upstream.hostname() + (timeout ? " timed out" : " failed");
        }
    }

    /**
     * One lookup across candidates in priority order. The next candidate is asked when the previous ones
     * all answered without a narinfo, or when {@code hedgeDelay} passed without any answer. The first verified
     * narinfo wins, even from a lower-priority upstream: waiting for a slow better one is what hedging avoids.
     * Requests still running when the race is decided finish in the background (bounded by the timeouts) and
     * still feed the breakers and the negative cache.
     */
    private final class Race {
        private final String hash;
        private final List<Upstream> candidates;
        private final BlockingQueue<Attempt> answers = new LinkedBlockingQueue<>();
        private final List<Failure> failures = new ArrayList<>();
        private final List<Refusal> refusals = new ArrayList<>();
        private int next;
        private int running;
        private int asked;
        private boolean onlyTimeouts = true;

        Race(String hash, List<Upstream> candidates) {
            this.hash = hash;
            this.candidates = candidates;
        }

        Lookup run() {
            launchNext();
            try {
                while (running > 0) {
                    Attempt attempt = next < candidates.size()
                            ? answers.poll(options.hedgeDelay().toNanos(), TimeUnit.NANOSECONDS)
                            : answers.take();
                    if (attempt == null) {
                        launchNext();
                        continue;
                    }
                    running--;
                    switch (attempt) {
                        case Hit hit -> {
                            return hit.found();
                        }
                        case Miss miss -> { }
                        case Refusal refusal -> refusals.add(refusal);
                        case Failure failure -> {
                            failures.add(failure);
                            onlyTimeouts &= failure.timeout();
                        }
                    }
                    launchNext();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Unavailable("interrupted", false);
            }
            if (asked == 0) {
                return new Unavailable("no usable upstream: " + unusableReasons(), false);
            }
            if (failures.isEmpty() && refusals.isEmpty()) {
                return new NotFound();
            }
            if (!failures.isEmpty()) {
                log.warn("narinfo {}: no upstream answered: {}", hash,
                        String.join("; ", failures.stream().map(Failure::detail).toList()));
            }
            // A refused narinfo is not a 404: the path exists upstream, and Nix would remember a 404 for an hour
            // (narinfo-cache-negative-ttl) while the operator fixes the key. A 502 it retries.
            List<String> reasons = new ArrayList<>(failures.stream().map(Failure::publicReason).toList());
            refusals.forEach(refusal -> reasons.add(refusal.publicReason()));
            return new Unavailable(String.join("; ", reasons), onlyTimeouts && refusals.isEmpty());
        }

        /** Asks the next candidate whose breaker lets a request through, if any is left. */
        private void launchNext() {
            while (next < candidates.size()) {
                Upstream upstream = candidates.get(next++);
                if (upstream.breaker().tryAcquire()) {
                    running++;
                    asked++;
                    workers.execute(() -> answers.add(attemptSafely(upstream, hash)));
                    return;
                }
            }
        }
    }

    private Attempt attemptSafely(Upstream upstream, String hash) {
        try {
            return attempt(upstream, hash);
        } catch (RuntimeException | Error e) {
            upstream.breaker().recordNeutral();
            log.error("upstream {}: narinfo {} lookup failed unexpectedly", upstream, hash, e);
            return new Failure(upstream, upstream + ": internal error: " + e, false);
        }
    }

    private Attempt attempt(Upstream upstream, String hash) {
        Instant start = clock.instant();
        URI uri = upstream.resolve(hash + ".narinfo");
        log.debug("narinfo {}: asking upstream {}", hash, upstream);
        UpstreamListener.Outcome outcome;
        Attempt attempt;
        try (UpstreamHttp.Exchange exchange = http.get(upstream, uri, false)) {
            int status = exchange.status();
            if (status == 200) {
                String text = exchange.readText(MAX_NARINFO_BYTES);
                upstream.breaker().recordSuccess();
                switch (NarInfoCheck.check(text, hash, upstream)) {
                    case NarInfoCheck.Accepted accepted -> {
                        log.debug("narinfo {}: upstream {} sent {} in {}ms, accepted ({})", hash, upstream,
                                Sizes.human(text.length()), since(start).toMillis(), accepted.vouched()
                                        ? "signed by a key of the upstream, or trusted unsigned: ncps signs it"
                                        : "content-addressed, not signed by a known key: served as it came");
                        attempt = new Hit(new Found(accepted.narInfo(), accepted.narUri(), upstream.hostname(), accepted.vouched()));
                        outcome = UpstreamListener.Outcome.FOUND;
                    }
                    case NarInfoCheck.Rejected rejected -> {
                        log.warn("upstream {}: rejecting narinfo {}: {}", upstream, hash, rejected.reason());
                        listener.narInfoRejected(upstream, rejected.problem().label());
                        attempt = new Refusal(upstream, rejected.problem());
                        outcome = UpstreamListener.Outcome.REJECTED;
                    }
                }
            } else if (isNotFound(status)) {
                exchange.discard();
                log.debug("narinfo {}: upstream {} does not have it (HTTP {}, {}ms)", hash, upstream, status,
                        since(start).toMillis());
                upstream.breaker().recordSuccess();
                negativeCache.remember(upstream, hash);
                attempt = new Miss();
                outcome = UpstreamListener.Outcome.NOT_FOUND;
            } else {
                exchange.discard();
                String reason = MaskedUri.of(uri) + ": unexpected HTTP " + status;
                recordStatusFailure(upstream, status, reason);
                attempt = new Failure(upstream, reason, false);
                outcome = UpstreamListener.Outcome.BAD_STATUS;
            }
        } catch (UpstreamException e) {
            recordFailure(upstream, e);
            attempt = new Failure(upstream, e.getMessage(), e.kind() == UpstreamException.Kind.TIMEOUT);
            outcome = outcomeOf(e);
        }
        listener.narInfoFetched(upstream, since(start), outcome);
        return attempt;
    }

    /** Nix (and S3 without list permission) answer a missing object with 403 as well as 404. */
    private static boolean isNotFound(int status) {
        return status == 404 || status == 403 || status == 410;
    }

    /** A 5xx says the upstream is in trouble; other statuses (401, 400…) say nothing about its health. */
    private void recordStatusFailure(Upstream upstream, int status, String reason) {
        upstream.setLastError(reason);
        if (status >= 500) {
            upstream.breaker().recordFailure();
            recheck(upstream);
        } else {
            upstream.breaker().recordNeutral();
        }
    }

    private void recordFailure(Upstream upstream, UpstreamException e) {
        upstream.setLastError(e.getMessage());
        if (e.getCause() instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
            upstream.breaker().recordNeutral();
        } else {
            upstream.breaker().recordFailure();
            recheck(upstream);
        }
    }

    private static UpstreamListener.Outcome outcomeOf(UpstreamException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> UpstreamListener.Outcome.NOT_FOUND;
            case TIMEOUT -> UpstreamListener.Outcome.TIMEOUT;
            case FAILED -> UpstreamListener.Outcome.CONNECTION_FAILED;
        };
    }

    private Duration since(Instant start) {
        return Duration.between(start, clock.instant());
    }

    private static Netrc loadNetrc(Path file) {
        if (file == null) {
            return Netrc.empty();
        }
        try {
            return Netrc.parse(file);
        } catch (NoSuchFileException e) {
            log.debug("no netrc file at {}", file);
        } catch (IOException e) {
            log.warn("ignoring netrc file {}, no upstream credentials are used: {}", file, e.getMessage());
        }
        return Netrc.empty();
    }
}
