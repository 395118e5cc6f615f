package dev.ncps.app;

import dev.ncps.cache.Cache;
import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.cache.Signer;
import dev.ncps.cache.Uploads;
import dev.ncps.cache.UpstreamSource;
import dev.ncps.cli.ServeAction;
import dev.ncps.cli.Version;
import dev.ncps.config.ServeConfig;
import dev.ncps.config.StorageConfig;
import dev.ncps.http.HttpServer;
import dev.ncps.index.Index;
import dev.ncps.lru.Lru;
import dev.ncps.lru.LruListener;
import dev.ncps.lru.LruSettings;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.Store;
import dev.ncps.tracing.Tracing;
import dev.ncps.upstream.Upstreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ncps serve}: wires the parts together (constructor wiring, no container) and runs until SIGTERM
 * or SIGINT, then shuts down gracefully and exits 0: readiness off, no new connections, requests and
 * downloads in flight finish within the drain timeout, access times are written, everything is closed.
 * Whatever upstreams do, shutdown takes at most the drain timeout plus {@link #ABORT_GRACE} and the time
 * to close the pools: downloads still running at the deadline are aborted (their temp files removed,
 * their leases released) and the clients still reading them see a broken transfer.
 */
public final class ServeCommand implements ServeAction, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);
    private static final Duration ACCESS_FLUSH_PERIOD = Duration.ofSeconds(30);
    /** How long aborted downloads get to remove their temp files and release their leases. */
    static final Duration ABORT_GRACE = Duration.ofSeconds(3);

    private final Clock clock = Clock.systemUTC();
    /** Everything to close at shutdown, in reverse order of creation. */
    private final List<AutoCloseable> resources = new ArrayList<>();

    @Override
    public int run(ServeConfig config) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        try {
            Running running = start(config);
            log.info("ncps serving on {} (hostname {}, public key {})", config.server().addr(), config.hostname(),
                    running.cache().signer().publicKey().toNixString());
            stop.await();
            log.info("shutting down: draining requests and downloads for at most {}", config.http().drainTimeout());
            running.drain(config.http().drainTimeout());
            return 0;
        } finally {
            closeAll();
        }
    }

    /** The started server, for {@link #run} and for tests that run ncps in-process. */
    public record Running(Cache cache, HttpServer http, ScheduledExecutorService scheduler, ExecutorService downloads) {
        void drain(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            http.close();
            while (cache.activeDownloads() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            abortDownloads();
            scheduler.shutdownNow();
            cache.flushAccessTimes();
        }

        /**
         * Interrupts the downloads still running (a blocked upstream read ends with an InterruptedIOException),
         * each of which then fails its readers, removes its temp file and releases its lease in its own
         * {@code finally}; that cleanup gets {@link #ABORT_GRACE}.
         */
        private void abortDownloads() throws InterruptedException {
            int running = cache.activeDownloads();
            downloads.shutdownNow();
            if (running > 0) {
                log.warn("drain timeout reached: aborting {} download(s) still in progress", running);
            }
            if (!downloads.awaitTermination(ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} download(s) did not end within {} of being aborted; their temp files are removed"
                        + " at the next start", cache.activeDownloads(), ABORT_GRACE);
            }
        }
    }

    public Running start(ServeConfig config) throws Exception {
        Tracing tracing = track(Tracing.start(config.tracing(), Version.number()));
        Path tempDir = track(attempt(() -> InstanceTempDir.create(config.cache().tempDir()),
                e -> StartupErrors.temp(config.cache().tempDir(), e))).dir();
        Index index = tracing.traced(Index.class, track(attempt(() -> Index.open(config.database().index(), clock),
                e -> StartupErrors.database(config.database().url(), e))), "index");
        Store store = tracing.traced(Store.class, track(attempt(() -> Backends.openStore(config.storage()), e -> switch (config.storage()) {
            case StorageConfig.Local local -> StartupErrors.localStorage(local.root(), e);
            case StorageConfig.S3 s3 -> StartupErrors.s3(s3.settings().bucket(), e);
        })), "store");
        SecretKey key = SigningKeys.load(config.signing().secretKeyPath(), config.hostname(), index, store).key();
        Signer signer = Backends.signer(config.signing(), key);

        Listeners listeners = Listeners.forConfig(config.server().prometheusEnabled());
        Upstreams upstreams = track(new Upstreams(config.upstream().upstreams(), config.upstream().options(), clock,
                listeners.upstreams()));
        upstreams.start();

        // A download runs in the trace of the request that started it.
        ExecutorService downloads = tracing.propagating(track(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("download-", 0).factory())));
        DownloadCoordinator coordinator = attempt(() -> Coordination.create(config, listeners, tracing, clock, this::track),
                e -> StartupErrors.lockBackend(config, e));
        Cache cache = new Cache(tracing.traced(UpstreamSource.class, upstreams, "upstream"), store, index, signer,
                config.cache().withTempDir(tempDir), clock, downloads, listeners.cache(), coordinator);
        Uploads uploads = new Uploads(cache, store, index, signer, clock, tempDir, config.uploads());

        ScheduledExecutorService scheduler = track(Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("scheduler").daemon().factory()));
        scheduler.scheduleWithFixedDelay(cache::flushAccessTimes, ACCESS_FLUSH_PERIOD.toMillis(), ACCESS_FLUSH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        StoreGauges.register(listeners.gauges(), index, upstreams, config.lru().maxSize().orElse(0), clock);
        scheduleLru(config.lru(), index, store, listeners.lru(), cache, scheduler, coordinator);
        NarInfoTextFill.start(index, scheduler);

        HttpServer server = new HttpServer(config.http(), cache, uploads, listeners.exposition(), listeners.http(), tracing.tracer());
        track(server);
        attempt(() -> {
            server.start();
            return server;
        }, e -> StartupErrors.listen(config.server().addr(), e));
        cache.pins().resume();
        return new Running(cache, server, scheduler, downloads);
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    /** Runs a startup step; its failure becomes what {@code explain} makes of it (one line for the operator). */
    private static <T> T attempt(Step<T> step, java.util.function.Function<Exception, Exception> explain) throws Exception {
        try {
            return step.run();
        } catch (Exception e) {
            throw explain.apply(e);
        }
    }

    private void scheduleLru(LruSettings settings, Index index, Store store, LruListener listener, Cache cache,
                             ScheduledExecutorService scheduler, DownloadCoordinator coordinator) {
        if (settings.schedule().isEmpty()) {
            return;
        }
        long maxSize = settings.maxSize().orElseThrow();
        Lru lru = new Lru(index, store, maxSize, clock, listener, cache::narFilesEvicted);
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            ZonedDateTime now = ZonedDateTime.now(clock.withZone(settings.timezone()));
            settings.schedule().get().next(now).ifPresent(at -> scheduler.schedule(() -> {
                try {
                    if (!coordinator.exclusively("lru", lru::run)) {
                        log.info("LRU cleanup skipped: another instance is running it");
                    }
                } catch (RuntimeException e) {
                    log.error("LRU cleanup failed", e);
                }
                next[0].run();
            }, Math.max(1, Duration.between(now, at).toMillis()), TimeUnit.MILLISECONDS));
        };
        next[0].run();
    }

    /**
     * An executor is stopped with {@code shutdownNow}, never with {@code close()}, which waits for every task
     * however long an upstream takes.
     */
    private <T> T track(T resource) {
        if (resource instanceof ExecutorService executor) {
            resources.add(executor::shutdownNow);
        } else if (resource instanceof AutoCloseable closeable) {
            resources.add(closeable);
        }
        return resource;
    }

    /** Closes everything {@link #start} opened; for in-process instances (tests). */
    @Override
    public void close() {
        closeAll();
    }

    private void closeAll() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.warn("error while closing {}: {}", resources.get(i), e.getMessage());
            }
        }
        resources.clear();
    }
}
