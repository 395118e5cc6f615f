package dev.ncps.cache;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Sends a download's bytes to disk while it is still being written, so the fsync that must come before its commit
 * (and so before its last byte reaches a client) finds little left to write. Done only at the end, that fsync wrote
 * the whole NAR: 85 ms for 64 MiB on the benchmark machine, most of what separated a cold miss from a direct
 * download (docs/benchmarks.md). Used by the one thread that writes the file.
 */
final class BackgroundSync implements AutoCloseable {
    /** Bytes written between two syncs; small enough that the last one is short, large enough to be few. */
    static final long EVERY = 8L * 1024 * 1024;

    private final FileChannel channel;
    private long syncedUpTo;
    private Thread running;

    BackgroundSync(FileChannel channel) {
        this.channel = channel;
    }

    /** The file now holds {@code length} bytes; starts a sync when enough arrived since the last one and none runs. */
    void written(long length) {
        if (length - syncedUpTo < EVERY || running != null && running.isAlive()) {
            return;
        }
        syncedUpTo = length;
        running = Thread.ofVirtual().name("nar-sync").start(this::sync);
    }

    private void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            // Only a head start: the writer's own fsync before the commit reports a disk that fails.
        }
    }

    /** Waits for a sync in progress, so that the channel is not closed under it. */
    @Override
    public void close() {
        if (running == null) {
            return;
        }
        boolean interrupted = false;
        while (running.isAlive()) {
            try {
                running.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
