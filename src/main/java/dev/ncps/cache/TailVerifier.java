package dev.ncps.cache;

import dev.ncps.nix.Compression;
import dev.ncps.nix.NarCheck;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * Checks a download against its narinfo ({@link NarCheck}) while it arrives: a thread of its own tails
 * the temp file, decoding and hashing as the bytes land, and fails the download the moment they cannot
 * be right (the archive passes NarSize, the codec or the NAR structure breaks).
 *
 * <p>Why a tail of the temp file and not a pipe from the downloader: the network side never waits for
 * the codec. Java's xz decoder is slower than a fast upstream; with a bounded pipe the download (and
 * every client streaming it) would slow to the decoder's pace, with a tail the verifier lags behind and
 * only the release of the last byte waits for it. The file is already in the page cache, so the second
 * read costs a copy, and a hand-over to another source changes nothing here: the bytes of the file
 * never change, whichever source wrote them.
 *
 * <p>The thread is a platform thread: decoding is CPU-bound and does not block, so on a virtual thread
 * it would occupy a carrier for seconds and stall the requests queued behind it. For the slow codecs it
 * also runs at a lower OS priority ({@link BackgroundPriority}).
 */
final class TailVerifier {
    /**
     * Codecs decoded in pure Java at tens of MB/s per core; their verifiers yield the cores to request
     * handling. The others (no compression, zstd, gzip, brotli: hashing plus native or fast decoding) keep
     * the normal priority: on a busy machine a low-priority thread gets almost no CPU, and the release of
     * the last byte would wait for it (measured on 2 cores at load 8 to 14: with every verifier lowered the
     * benchmark's cold miss of a 64 MiB uncompressed NAR fell to 0.83x of the direct throughput; with only
     * these two lowered it was as fast as before verification was added, docs/benchmarks.md).
     */
    private static final Set<Compression> SLOW_DECODERS = EnumSet.of(Compression.XZ, Compression.BZIP2);

    private final CompletableFuture<Void> verdict = new CompletableFuture<>();

    private TailVerifier() {}

    static TailVerifier start(Download download, NarCheck check, ThreadFactory threads) {
        TailVerifier verifier = new TailVerifier();
        threads.newThread(() -> verifier.run(download, check)).start();
        return verifier;
    }

    private void run(Download download, NarCheck check) {
        if (SLOW_DECODERS.contains(check.compression())) {
            BackgroundPriority.lowerCurrentThread();
        }
        try (InputStream tail = download.openTail()) {
            check.verify(tail);
            verdict.complete(null);
        } catch (IOException | RuntimeException e) {
            IOException failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
            verdict.completeExceptionally(failure);
            // Readers abort now rather than when the downloader notices.
            download.failed(failure);
        }
    }

    /** Throws the verifier's failure if there is one already; the downloader asks between chunks. */
    void throwIfFailed() throws IOException {
        if (verdict.isCompletedExceptionally()) {
            await();
        }
    }

    /** Waits for the verdict; call after {@link Download#received()}. */
    void await() throws IOException {
        try {
            verdict.get();
        } catch (ExecutionException e) {
            IOException cause = (IOException) e.getCause();
            throw new IOException("verification failed: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the verification", e);
        }
    }
}
