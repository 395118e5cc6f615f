package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.Index.NarFileKey;
import dev.ncps.index.IndexException;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarReader;
import dev.ncps.store.Store;
import dev.ncps.store.StoreKeys;
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
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Single-flight NAR downloads: at most one upstream transfer per NAR in this process, however many
 * clients ask for it. The transfer runs detached from the requests that started it, so a client that
 * disconnects does not waste what was already fetched; it ends on its own through the upstream
 * client's idle timeout if the upstream stalls.
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
    private final Clock clock;
    private final ExecutorService executor;
    private final CacheListener listener;
    private final DownloadCoordinator coordinator;

    NarDownloads(UpstreamSource upstreams, Store store, Index index, Path tempDir, Clock clock,
                 ExecutorService executor, CacheListener listener, DownloadCoordinator coordinator) {
        this.coordinator = coordinator;
        this.upstreams = upstreams;
        this.store = store;
        this.index = index;
        this.tempDir = tempDir;
        this.clock = clock;
        this.executor = executor;
        this.listener = listener;
    }

    /** The running download of this NAR, started now if there is none. */
    Download join(NarSpec spec) {
        try {
            return active.computeIfAbsent(spec.key(), key -> start(spec));
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
        DownloadCoordinator.Claim claim = coordinator.claim(spec.key());
        try {
            for (int handover = 0; ; handover++) {
                switch (claim) {
                    case DownloadCoordinator.Refused refused ->
                            throw new IOException("download coordination unavailable: " + refused.reason());
                    case DownloadCoordinator.Owner owner -> {
                        fetchAsOwner(spec, download, owner.lease());
                        download.committed();
                        return;
                    }
                    case DownloadCoordinator.Follower follower -> {
                        try (InputStream relayed = coordinator.openPeer(follower, spec.key())) {
                            transfer(spec, download, relayed, null);
                            download.committed();
                            return;
                        } catch (IOException e) {
                            if (handover >= MAX_HANDOVERS) {
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
            log.warn("download of nar/{}.nar{} from {} failed: {}", spec.key().narHash(),
                    spec.compression().extension(), spec.upstreamUri().getHost(), cause.getMessage());
            download.failed(cause);
            listener.narDownloadFailed(spec.key(), cause);
        } finally {
            if (claim instanceof DownloadCoordinator.Owner owner) {
                owner.lease().close();
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
     * Fetches from upstream and commits. Another instance may have committed the object between our
     * store lookup and our claim; then the stored copy is relayed instead of fetching it again.
     */
    private void fetchAsOwner(NarSpec spec, Download download, DownloadCoordinator.Lease lease) throws IOException, IndexException {
        Optional<Store.Blob> stored = store.get(StoreKeys.nar(spec.key().narHash(), spec.compression()));
        if (stored.isPresent()) {
            try (InputStream in = stored.get().open(0)) {
                transfer(spec, download, in, lease);
            }
            return;
        }
        try (InputStream body = upstreams.openNar(spec.upstreamUri(), spec.expectedSize())) {
            transfer(spec, download, body, lease);
        }
        commit(spec, download);
    }

    /**
     * Copies a body into the temp file, hashing it and checking its size as it goes. When a previous
     * source already wrote a prefix (an owner that died mid-way), that prefix is compared instead of
     * written, so readers never see bytes change and a mixed file can never be committed.
     */
    private void transfer(NarSpec spec, Download download, InputStream body, DownloadCoordinator.Lease lease) throws IOException {
        Hash expected = spec.fileHash() != null ? spec.fileHash()
                : spec.compression() == Compression.NONE ? spec.narHash() : null;
        MessageDigest digest = expected != null ? expected.algorithm().newDigest() : null;
        long limit = spec.expectedSize();
        long total = 0;
        long prefix = download.written();
        byte[] buffer = new byte[BUFFER_SIZE];
        try (FileChannel out = FileChannel.open(download.temp(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (limit >= 0 && total + n > limit) {
                    throw new IOException("upstream sent more than the " + limit + " bytes its narinfo announced");
                }
                if (digest != null) {
                    digest.update(buffer, 0, n);
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
                }
                total += n;
                if (lease != null) {
                    lease.renew();
                }
            }
            if (limit >= 0 && total != limit) {
                throw new IOException("upstream sent " + total + " bytes, its narinfo announced " + limit);
            }
            if (total < prefix) {
                throw new IOException("new source sent " + total + " bytes, fewer than the " + prefix + " already relayed");
            }
            if (digest != null) {
                Hash actual = Hash.of(expected.algorithm(), digest.digest());
                if (!actual.equals(expected)) {
                    throw new IOException("hash mismatch: narinfo says " + expected.toNix32String()
                            + ", upstream sent " + actual.toNix32String());
                }
            }
            out.force(false);
        }
        if (expected == null) {
            verifyDecompressed(spec, download.temp());
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

    /** Without a FileHash the only check left is the signed NarHash of the decompressed archive. */
    private static void verifyDecompressed(NarSpec spec, Path file) throws IOException {
        try (InputStream in = spec.compression().decompress(Files.newInputStream(file))) {
            NarReader.Summary summary = NarReader.read(in, false);
            if (summary.narSize() != spec.narSize() || !summary.narHash().equals(spec.narHash())) {
                throw new IOException("NAR content mismatch: narinfo says " + spec.narHash().toNix32String()
                        + " (" + spec.narSize() + " bytes), upstream sent " + summary.narHash().toNix32String()
                        + " (" + summary.narSize() + " bytes)");
            }
        }
    }

    /** Bytes first, then the index row (DESIGN.md §4.3). */
    private void commit(NarSpec spec, Download download) throws IOException, IndexException {
        String key = StoreKeys.nar(spec.key().narHash(), spec.compression());
        store.put(key, download.temp());
        long size = Files.size(download.temp());
        index.putNarFile(new NarFileEntry(spec.key(), size, clock.instant()));
    }
}
