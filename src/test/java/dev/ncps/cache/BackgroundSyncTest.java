package dev.ncps.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class BackgroundSyncTest {
    @TempDir
    Path work;

    /** A real file whose fsync can be held, to see when syncs start and that closing waits for one. */
    private static final class HeldForce extends FileChannel {
        final FileChannel file;
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        HeldForce(FileChannel file) {
            this.file = file;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            started.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            file.force(metaData);
            finished.incrementAndGet();
        }

        @Override public int read(ByteBuffer dst) throws IOException { return file.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return file.read(dsts, offset, length); }
        @Override public int write(ByteBuffer src) throws IOException { return file.write(src); }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) throws IOException { return file.write(srcs, offset, length); }
        @Override public long position() throws IOException { return file.position(); }
        @Override public FileChannel position(long newPosition) throws IOException { return file.position(newPosition); }
        @Override public long size() throws IOException { return file.size(); }
        @Override public FileChannel truncate(long size) throws IOException { return file.truncate(size); }
        @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException { return file.transferTo(position, count, target); }
        @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException { return file.transferFrom(src, position, count); }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return file.read(dst, position); }
        @Override public int write(ByteBuffer src, long position) throws IOException { return file.write(src, position); }
        @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException { return file.map(mode, position, size); }
        @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return file.lock(position, size, shared); }
        @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return file.tryLock(position, size, shared); }
        @Override protected void implCloseChannel() throws IOException { file.close(); }
    }

    @Test
    void aSyncStartsEveryFewMegabytesOneAtATimeAndClosingWaitsForIt() throws Exception {
        HeldForce channel = new HeldForce(FileChannel.open(work.resolve("nar"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        Thread closer;
        try (channel) {
            BackgroundSync sync = new BackgroundSync(channel);
            sync.written(BackgroundSync.EVERY - 1);
            Thread.sleep(50);
            assertThat(channel.started).as("before EVERY bytes").hasValue(0);
            sync.written(BackgroundSync.EVERY);
            waitFor(() -> channel.started.get() == 1);
            sync.written(3 * BackgroundSync.EVERY);
            Thread.sleep(50);
            assertThat(channel.started).as("while one sync runs").hasValue(1);

            closer = Thread.ofPlatform().start(sync::close);
            closer.join(200);
            assertThat(closer.isAlive()).as("close waits for the running sync").isTrue();
            channel.release.countDown();
            closer.join(10_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(channel.finished).hasValue(1);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
