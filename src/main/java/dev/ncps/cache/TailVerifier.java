package dev.ncps.cache;

import dev.ncps.nix.NarCheck;

import java.io.IOException;
import java.io.InputStream;
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
 * it would occupy a carrier for seconds and stall the requests queued behind it; the OS scheduler
 * shares the cores fairly between platform threads.
 */
final class TailVerifier {
    private final CompletableFuture<Void> verdict = new CompletableFuture<>();

    private TailVerifier() {}

    static TailVerifier start(Download download, NarCheck check, ThreadFactory threads) {
        TailVerifier verifier = new TailVerifier();
        threads.newThread(() -> verifier.run(download, check)).start();
        return verifier;
    }

    private void run(Download download, NarCheck check) {
        BackgroundPriority.lowerCurrentThread();
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
