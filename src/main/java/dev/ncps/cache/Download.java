package dev.ncps.cache;

import dev.ncps.nix.Streams;
import dev.ncps.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The progress of one upstream NAR download, shared by every request for that NAR.
 *
 * <p>The downloader appends to a temp file and reports progress here; each client request gets a
 * {@link Reader} that tails the file as bytes arrive, so a follower streams from the first byte instead
 * of waiting for the end. The final byte is held back from readers until the whole body is verified and
 * committed: a client can receive a complete body only if it is correct, and otherwise sees an aborted
 * transfer that Nix reports and retries.
 *
 * <pre>
 *   upstream ──► downloader ──append──► temp file ──tail──► Reader ──► client 1
 *                    │ size, deadline       │       └─tail──► Reader ──► client 2
 *                    │                      ├─tail──► verifier (decode, NarHash, NarSize)
 *                    │                      └─ranges─► upload to S3, part by part (completed after the verdict)
 *                    └──► received() ──► verdict ──► verified() ──► store + index ──► committed()
 *                                                                         (releases the last byte)
 * </pre>
 */
final class Download {
    enum State { RUNNING, COMMITTED, FAILED }

    /** What {@link #await} is given while the answer is not there yet. */
    private static final long WAIT = Long.MIN_VALUE;

    private final Path temp;
    private final long expectedSize;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long written;
    private State state = State.RUNNING;
    private IOException failure;
    private boolean tempRemoved;
    private boolean received;
    private boolean verified;

    Download(Path temp, long expectedSize) {
        this.temp = temp;
        this.expectedSize = expectedSize;
    }

    /** The size announced by the narinfo, or -1 when unknown. */
    long expectedSize() {
        return expectedSize;
    }

    Path temp() {
        return temp;
    }

    long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    void appended(long bytes) {
        update(() -> written += bytes);
    }

    /** The content passed verification: an upload alongside may complete (clients still wait for the commit). */
    void verified() {
        update(() -> verified = true);
    }

    /**
     * For an upload alongside the download ({@link Store.Growing}): blocks until the temp file holds {@code bytes}
     * bytes, or until the content is {@link #verified()} and then returns its length if that is less; a failed
     * download throws, so the store discards what it sent.
     */
    long awaitWritten(long bytes) throws IOException {
        return await(() -> written >= bytes ? bytes : verified ? written : WAIT);
    }

    /** Every byte is in the temp file: the verifier's tail ends here (readers still wait for the commit). */
    void received() {
        update(() -> received = true);
    }

    /** Changes the progress under the lock and wakes everyone waiting on it. */
    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits under the lock until {@code answer} has one (anything but {@link #WAIT}) and returns it; throws when the
     * download failed meanwhile.
     */
    private long await(LongSupplier answer) throws IOException {
        lock.lock();
        try {
            while (true) {
                if (state == State.FAILED) {
                    throw new DownloadFailedException(failureReason(), failureStatus(), failure);
                }
                long result = answer.getAsLong();
                if (result != WAIT) {
                    return result;
                }
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the upstream download", e);
        } finally {
            lock.unlock();
        }
    }

    void committed() {
        finish(State.COMMITTED, null);
    }

    void failed(IOException cause) {
        finish(State.FAILED, cause);
    }

    /**
     * Why the download failed, in one line for the client: an upstream's failure in its own (client-safe)
     * words, anything else in general terms; the details are in the log.
     */
    String failureReason() {
        lock.lock();
        try {
            return failure instanceof UpstreamSource.FetchException || failure instanceof UpstreamSource.NarNotFoundException
                    ? "the download of this NAR failed: " + failure.getMessage()
                    : "the download of this NAR from upstream failed";
        } finally {
            lock.unlock();
        }
    }

    /** The HTTP status of the failure for clients: 504 when the upstream timed out, else 502. */
    int failureStatus() {
        lock.lock();
        try {
            return failure instanceof UpstreamSource.FetchException fetch && fetch.timedOut() ? 504 : 502;
        } finally {
            lock.unlock();
        }
    }

    /** After this, new readers are refused (they find the committed object in the store instead). */
    void markTempRemoved() {
        lock.lock();
        try {
            tempRemoved = true;
        } finally {
            lock.unlock();
        }
    }

    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A reader from {@code offset}, or null when the download is over and its temp file gone. The file
     * is opened here, under the lock, so that a later removal of its name does not affect this reader.
     */
    Reader openReader(long offset) throws IOException {
        lock.lock();
        try {
            if (tempRemoved || state == State.FAILED) {
                return null;
            }
            return new Reader(FileChannel.open(temp, StandardOpenOption.READ), offset, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The whole file for the verifier: unlike a client's reader it gets the last byte before the commit,
     * and its end is {@link #received()}.
     */
    Reader openTail() throws IOException {
        return new Reader(FileChannel.open(temp, StandardOpenOption.READ), 0, true);
    }

    private void finish(State finalState, IOException cause) {
        lock.lock();
        try {
            if (state != State.RUNNING) {
                return;
            }
            state = finalState;
            failure = cause;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until bytes beyond {@code position} may be read; returns the readable limit, or -1 at the end. */
    private long awaitReadable(long position, boolean tail) throws IOException {
        return await(() -> {
            long limit = tail || state == State.COMMITTED ? written : written - 1;
            if (position < limit) {
                return limit;
            }
            return state == State.COMMITTED || tail && received ? -1 : WAIT;
        });
    }

    /** Streams the download's bytes as they arrive; reads block until more bytes or the end. */
    final class Reader extends InputStream {
        private final FileChannel channel;
        private final boolean tail;
        private long position;

        private Reader(FileChannel channel, long position, boolean tail) {
            this.channel = channel;
            this.position = position;
            this.tail = tail;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            long limit = awaitReadable(position, tail);
            if (limit < 0) {
                return -1;
            }
            int wanted = (int) Math.min(length, limit - position);
            int n = channel.read(ByteBuffer.wrap(buffer, offset, wanted), position);
            if (n < 0) {
                throw new IOException("temp file of the download is shorter than reported");
            }
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
