package dev.ncps.cache;

import dev.ncps.nix.Sizes;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.IndexException;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Single-flight NAR downloads: at most one upstream transfer per NAR in this process, however many
 * clients ask for it. The transfer runs detached from the requests that started it, so a client that
 * disconnects does not waste what was already fetched. It ends on its own when the upstream stalls
 * (the upstream client's idle timeout), sends more than the narinfo allows, or passes the download's
 * deadline (derived from that size), and nothing is kept unless the {@link TailVerifier} found the
 * signed NarHash and NarSize.
 */
final class NarDownloads {
    private static final Logger log = LoggerFactory.getLogger(NarDownloads.class);
    private static final int BUFFER_SIZE = 128 * 1024;
    /** How often a relay may fail over to another source before the download gives up. */
    private static final int MAX_HANDOVERS = 3;

    private final ConcurrentHashMap<NarFileKey, Download> active = new ConcurrentHashMap<>();
    private final UpstreamSource upstreams;
    private final Store store;
    private final Index index;
    private final Path tempDir;
    private final CacheSettings settings;
    private final ThreadFactory verifierThreads = Thread.ofPlatform().daemon().name("nar-verify-", 0).factory();
    private final Clock clock;
    private final ExecutorService executor;
    private final CacheListener listener;
    private final DownloadCoordinator coordinator;

    NarDownloads(UpstreamSource upstreams, Store store, Index index, CacheSettings settings, Clock clock,
                 ExecutorService executor, CacheListener listener, DownloadCoordinator coordinator) {
        this.coordinator = coordinator;
        this.upstreams = upstreams;
        this.store = store;
        this.index = index;
        this.settings = settings;
        this.tempDir = settings.tempDir();
        this.clock = clock;
        this.executor = executor;
        this.listener = listener;
    }

    /**
     * The running download of this NAR, started now if there is none. A download that already failed but has
     * not left the map yet (its cleanup runs just after the failure) is replaced: a client that retries at
     * once gets a new attempt, not the old failure.
     */
    Download join(NarSpec spec) {
        try {
            return active.compute(spec.key(), (key, existing) ->
                    existing == null || existing.state() == Download.State.FAILED ? start(spec) : existing);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("cannot create a temp file in " + tempDir + ": " + e.getCause().getMessage(), e);
        }
    }

    /** The download of this NAR running in this process, or null. */
    Download running(NarFileKey key) {
        return active.get(key);
    }

    int activeCount() {
        return active.size();
    }

    private Download start(NarSpec spec) {
        Path temp;
        try {
            temp = Files.createTempFile(tempDir, spec.key().narHash() + "-", ".nar" + spec.compression().extension());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Download download = new Download(temp, spec.expectedSize());
        executor.execute(() -> run(spec, download));
        return download;
    }

    private void run(NarSpec spec, Download download) {
        Transfer transfer = new Transfer(spec, download, TailVerifier.start(download, spec.check(), verifierThreads),
                System.nanoTime() + settings.downloadDeadline(spec.check().maxFileSize()).toNanos());
        DownloadCoordinator.Claim claim = coordinator.claim(spec.key());
        try {
            for (int handover = 0; ; handover++) {
                switch (claim) {
                    case DownloadCoordinator.Refused refused ->
                            throw new IOException("download coordination unavailable: " + refused.reason());
                    case DownloadCoordinator.Owner owner -> {
                        fetchAsOwner(transfer, owner.lease());
                        download.committed();
                        return;
                    }
                    case DownloadCoordinator.Follower follower -> {
                        try (InputStream relayed = coordinator.openPeer(follower, spec.key())) {
                            transfer.copy(relayed, null);
                            download.committed();
                            return;
                        } catch (IOException e) {
                            // Bytes that failed verification stay wrong whoever sends them next.
                            if (handover >= MAX_HANDOVERS || download.state() == Download.State.FAILED) {
                                throw e;
                            }
                            log.info("nar/{}: relay from {} failed ({}), coordinating again", spec.key().narHash(), follower.holder(), e.getMessage());
                            claim = coordinator.afterPeerFailure(spec.key(), follower, e);
                        }
                    }
                }
            }
        } catch (IOException | IndexException | RuntimeException e) {
            IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            // An upstream failure's message is worded for clients; its cause has the detail (masked URL, status).
            log.warn("download of nar/{}.nar{} from {} failed: {}{}", spec.key().narHash(),
                    spec.compression().extension(), spec.upstreamUri().getHost(), cause.getMessage(),
                    cause.getCause() instanceof IOException detail ? " (" + detail.getMessage() + ")" : "");
            download.failed(cause);
            listener.narDownloadFailed(spec.key(), cause);
        } finally {
            // Ends the verifier (and any reader) also when something unexpected ended this thread.
            download.failed(new IOException("download ended without a result"));
            if (claim instanceof DownloadCoordinator.Owner owner) {
                releaseEvenIfInterrupted(owner.lease());
            }
            active.remove(spec.key(), download);
            download.markTempRemoved();
            try {
                Files.deleteIfExists(download.temp());
            } catch (IOException e) {
                log.warn("cannot remove temp file {}: {}", download.temp(), e.getMessage());
            }
        }
    }

    /**
     * A download aborted at shutdown may still carry its interrupt, and on a virtual thread an interrupted socket
     * call fails at once: the lease's release would never reach Redis or PostgreSQL and other instances would wait
     * for its TTL. The release runs with the interrupt cleared, which is restored after.
     */
    private static void releaseEvenIfInterrupted(DownloadCoordinator.Lease lease) {
        boolean interrupted = Thread.interrupted();
        try {
            lease.close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Fetches from upstream and commits. Another instance may have committed the object between our
     * store lookup and our claim; then the stored copy is relayed instead of fetching it again.
     */
    private void fetchAsOwner(Transfer transfer, DownloadCoordinator.Lease lease) throws IOException, IndexException {
        NarSpec spec = transfer.spec;
        Optional<Store.Blob> stored = store.get(spec.key().storeKey());
        if (stored.isPresent()) {
            try (InputStream in = stored.get().open(0)) {
                transfer.copy(in, lease);
            }
            return;
        }
        long started = System.nanoTime();
        log.debug("nar/{}: fetching {} from upstream {}", spec.key().narHash(),
                spec.expectedSize() >= 0 ? Sizes.human(spec.expectedSize()) : "an object of unknown size",
                spec.upstreamUri().getHost());
        Future<Boolean> upload = store.overlapsUploads() ? executor.submit(() -> store.putWhileWritten(
                spec.key().storeKey(), transfer.download.temp(), transfer.download::awaitWritten)) : null;
        long bytes;
        try (InputStream body = upstreams.openNar(spec.upstreamUri(), spec.expectedSize())) {
            bytes = transfer.copy(body, lease);
        }
        log.debug("nar/{}: fetched {} from upstream {} in {}ms, verified (NarHash and NarSize {} match the narinfo)",
                spec.key().narHash(), Sizes.human(bytes), spec.upstreamUri().getHost(),
                Duration.ofNanos(System.nanoTime() - started).toMillis(), Sizes.human(spec.narSize()));
        commit(spec, transfer.download, upload);
    }

    /**
     * One download's bytes from whichever sources it takes: the size bound and deadline hold for all of
     * them together, the verifier checks the content as it lands.
     */
    private record Transfer(NarSpec spec, Download download, TailVerifier verifier, long deadlineNanos) {
        /**
         * Copies a body into the temp file, bounded in size and time, then waits for the verifier's verdict.
         * When a previous source already wrote a prefix (an owner that died mid-way), that prefix is compared
         * instead of written, so readers and the verifier never see bytes change and a mixed file can never
         * be committed. A read that blocks is ended by the upstream client's idle timeout, so the deadline is
         * overrun by at most that much. Returns the number of bytes the body had.
         */
        long copy(InputStream body, DownloadCoordinator.Lease lease) throws IOException {
            long limit = spec.check().maxFileSize();
            long total = 0;
            long prefix = download.written();
            byte[] buffer = new byte[BUFFER_SIZE];
            try (FileChannel out = FileChannel.open(download.temp(), StandardOpenOption.READ, StandardOpenOption.WRITE);
                 BackgroundSync sync = new BackgroundSync(out)) {
                int n;
                while ((n = body.read(buffer)) > 0) {
                    if (total + n > limit) {
                        throw new IOException("upstream sent more than " + limit + " bytes, the most its narinfo allows"
                                + " (FileSize " + spec.fileSize() + ", NarSize " + spec.narSize() + ")");
                    }
                    int compared = (int) Math.max(0, Math.min(n, prefix - total));
                    if (compared > 0) {
                        comparePrefix(out, total, buffer, compared);
                    }
                    if (compared < n) {
                        ByteBuffer chunk = ByteBuffer.wrap(buffer, compared, n - compared);
                        long position = total + compared;
                        while (chunk.hasRemaining()) {
                            position += out.write(chunk, position);
                        }
                        download.appended(n - compared);
                        sync.written(position);
                    }
                    total += n;
                    verifier.throwIfFailed();
                    if (System.nanoTime() - deadlineNanos > 0) {
                        throw new IOException("download passed its deadline after " + total + " bytes"
                                + " (an upstream that slow cannot hold a download)");
                    }
                    if (lease != null) {
                        lease.renew();
                    }
                }
                if (total < prefix) {
                    throw new IOException("new source sent " + total + " bytes, fewer than the " + prefix + " already relayed");
                }
                out.force(false);
            }
            download.received();
            verifier.await();
            return total;
        }
    }

    private static boolean uploaded(String key, Future<Boolean> upload) throws IOException {
        try {
            upload.get();
            return true;
        } catch (ExecutionException e) {
            log.warn("{}: the upload alongside the download failed ({}); uploading the finished file", key,
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the upload of " + key, e);
        }
    }

    private static void comparePrefix(FileChannel file, long position, byte[] buffer, int length) throws IOException {
        ByteBuffer existing = ByteBuffer.allocate(length);
        while (existing.hasRemaining()) {
            if (file.read(existing, position + existing.position()) < 0) {
                throw new IOException("temp file shorter than the bytes already relayed");
            }
        }
        if (!Arrays.equals(existing.array(), 0, length, buffer, 0, length)) {
            throw new IOException("the new source disagrees with the bytes already relayed at offset " + position);
        }
    }

    /**
     * Bytes first, then the index row (docs/design/architecture.md, invariant 3). On S3 the bytes went up while the
     * download ran ({@code upload}, which completes the object once the download is verified): uploading the finished
     * file held the last byte of a cold miss back for the whole upload. If that upload failed, the file is uploaded.
     */
    private void commit(NarSpec spec, Download download, Future<Boolean> upload) throws IOException, IndexException {
        String key = spec.key().storeKey();
        download.verified();
        if (upload == null || !uploaded(key, upload)) {
            store.put(key, download.temp());
        }
        long size = Files.size(download.temp());
        index.putNarFile(new NarFileEntry(spec.key(), size, clock.instant()));
    }
}
