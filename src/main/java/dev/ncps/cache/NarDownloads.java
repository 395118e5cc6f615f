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

    private final ConcurrentHashMap<NarFileKey, Download> active = new ConcurrentHashMap<>();
    private final UpstreamSource upstreams;
    private final Store store;
    private final Index index;
    private final Path tempDir;
    private final Clock clock;
    private final ExecutorService executor;
    private final CacheListener listener;

    NarDownloads(UpstreamSource upstreams, Store store, Index index, Path tempDir, Clock clock,
                 ExecutorService executor, CacheListener listener) {
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

    boolean isActive(NarFileKey key) {
        return active.containsKey(key);
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
        long started = clock.millis();
        try {
            transfer(spec, download);
            commit(spec, download);
            download.committed();
            listener.narDownloaded(spec.key(), download.temp().toFile().length(), clock.millis() - started);
        } catch (IOException | IndexException | RuntimeException e) {
            IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            log.warn("download of nar/{}.nar{} from {} failed: {}", spec.key().narHash(),
                    spec.compression().extension(), spec.upstreamUri(), cause.getMessage());
            download.failed(cause);
            listener.narDownloadFailed(spec.key(), cause);
        } finally {
            active.remove(spec.key(), download);
            download.markTempRemoved();
            try {
                Files.deleteIfExists(download.temp());
            } catch (IOException e) {
                log.warn("cannot remove temp file {}: {}", download.temp(), e.getMessage());
            }
        }
    }

    /** Copies the upstream body into the temp file, hashing it and checking its size as it goes. */
    private void transfer(NarSpec spec, Download download) throws IOException {
        Hash expected = spec.fileHash() != null ? spec.fileHash()
                : spec.compression() == Compression.NONE ? spec.narHash() : null;
        MessageDigest digest = expected != null ? expected.algorithm().newDigest() : null;
        long limit = spec.expectedSize();
        long total = 0;
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream body = upstreams.openNar(spec.upstreamUri());
             FileChannel out = FileChannel.open(download.temp(), StandardOpenOption.WRITE)) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
                if (limit >= 0 && total > limit) {
                    throw new IOException("upstream sent more than the " + limit + " bytes its narinfo announced");
                }
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                download.appended(n);
            }
            if (limit >= 0 && total != limit) {
                throw new IOException("upstream sent " + total + " bytes, its narinfo announced " + limit);
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
