package dev.ncps.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes encoded lines to a stream in batches from a writer thread, so that a busy server makes one
 * {@code write(2)} per millisecond rather than one per request: at 16 connections of narinfo hits the access log's
 * writes were 7 % of ncps's CPU. A line reaches the stream at most {@link #LINGER_NANOS} after it is logged, and
 * at once when it is a warning or an error, which is written before {@code append} returns, with every line before
 * it. Loggers wait (no line is dropped) while {@link #MAX_PENDING} bytes are waiting for a stream that does not
 * keep up. {@link #flush()} and {@link #stop()} write what is waiting.
 */
final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final int MAX_PENDING = 1 << 20;

    private final Encoder<ILoggingEvent> encoder;
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition linesWaiting = lock.newCondition();
    private final Condition roomFreed = lock.newCondition();
    /** Held while a batch is taken and written, so batches reach the stream in the order they were taken. */
    private final ReentrantLock writing = new ReentrantLock();
    private byte[] pending = new byte[64 * 1024];
    private int pendingLength;
    private Thread writer;

    BatchingAppender(Encoder<ILoggingEvent> encoder, OutputStream out) {
        this.encoder = encoder;
        this.out = out;
    }

    @Override
    public void start() {
        writer = Thread.ofPlatform().daemon().name("ncps-log-writer").start(this::writeLoop);
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
        writer.interrupt();
        flush();
    }

    @Override
    protected void append(ILoggingEvent event) {
        byte[] line = encoder.encode(event);
        lock.lock();
        try {
            while (pendingLength > 0 && pendingLength + line.length > MAX_PENDING) {
                roomFreed.awaitUninterruptibly();
            }
            if (pendingLength + line.length > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + line.length));
            }
            System.arraycopy(line, 0, pending, pendingLength, line.length);
            pendingLength += line.length;
            linesWaiting.signal();
        } finally {
            lock.unlock();
        }
        if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            flush();
        }
    }

    /** Writes every line logged so far. */
    void flush() {
        writing.lock();
        try {
            byte[] batch;
            lock.lock();
            try {
                batch = Arrays.copyOf(pending, pendingLength);
                pendingLength = 0;
                roomFreed.signalAll();
            } finally {
                lock.unlock();
            }
            if (batch.length > 0) {
                out.write(batch);
                out.flush();
            }
        } catch (IOException e) {
            // Nowhere left to report it: the log is where ncps reports failures.
            addError("cannot write the log", e);
        } finally {
            writing.unlock();
        }
    }

    private void writeLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            lock.lock();
            try {
                while (pendingLength == 0) {
                    linesWaiting.await();
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            flush();
            // Lines logged meanwhile join the next batch; a signal reaches only a writer waiting for lines.
            try {
                TimeUnit.NANOSECONDS.sleep(LINGER_NANOS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
