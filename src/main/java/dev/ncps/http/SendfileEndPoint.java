package dev.ncps.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A connection's endpoint that sends a file region with {@link FileChannel#transferTo} (sendfile(2) on Linux):
 * the kernel hands page-cache pages to the socket and the bytes never pass through the process. Writing
 * them from a mapping instead costs a copy into the socket per byte plus page faults; at 16 connections
 * on 2 cores that copy was most of ncps's CPU (docs/benchmarks.md).
 *
 * <p>Jetty has no file write, so the response still goes through Jetty as an ordinary buffer: a mapping of
 * the region, whose length keeps Jetty's Content-Length accounting and HTTP/1.1 framing exact. When that
 * very buffer reaches {@link #flush}, the bytes are sent from the file and the buffer is only advanced; its
 * pages are never read. This is a shortcut, never a different answer: something on the way that read the
 * buffer would get the mapped bytes on the thread that mapped them, and anywhere else the JVM would refuse the
 * read and the response would fail.
 */
final class SendfileEndPoint extends SocketChannelEndPoint {
    /** The buffer standing for {@code length} bytes of {@code file} from {@code offset}, and the file. */
    private record Region(ByteBuffer placeholder, FileChannel file, long offset) {
    }

    /** A mapped buffer's length is an int; a window costs a mapping, not memory, since its pages are never read. */
    private static final long WINDOW = 1L << 30;
    private static final int MAX_SELECTORS = 4;

    private volatile Region region;
    /** Bytes this connection sent from files; only the flushing thread writes it. */
    private volatile long sentFromFiles;

    private SendfileEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key, Scheduler scheduler) {
        super(channel, selector, key, scheduler);
    }

    /**
     * A connector whose connections can send file regions; the rest of its behaviour is {@link ServerConnector}'s, but
     * with one selector thread per core (up to {@link #MAX_SELECTORS}) where Jetty takes half as many. Hits answered
     * from memory or the SQLite index run on the selector thread that read the request, so with Jetty's one selector
     * on two cores they all shared one core: narinfo hits from the index at 16 connections went from 15,100–15,600 to
     * 16,100–16,700 per second with two (docs/benchmarks.md).
     */
    static ServerConnector connector(Server server, ConnectionFactory factory) {
        int selectors = Math.min(MAX_SELECTORS, Runtime.getRuntime().availableProcessors());
        return new ServerConnector(server, -1, selectors, factory) {
            @Override
            protected SocketChannelEndPoint newEndPoint(SocketChannel channel, ManagedSelector selector, SelectionKey key) {
                var endPoint = new SendfileEndPoint(channel, selector, key, getScheduler());
                endPoint.setIdleTimeout(getIdleTimeout());
                return endPoint;
            }
        };
    }

    /**
     * Writes {@code length > 0} bytes of {@code file} from {@code offset} to {@code sink}, this connection's response,
     * as the end of its body, and returns once they are sent. Each window's mapping belongs to the calling thread and
     * is released by it: releasing a mapping shared between threads makes the JVM stop every thread to check that none
     * reads it, which under 16 clients of NAR hits was about a tenth of ncps's CPU. So the caller waits, which is
     * what virtual threads are for: only they may call this.
     */
    void send(Content.Sink sink, Path file, long offset, long length) throws IOException {
        if (length <= 0 || !Thread.currentThread().isVirtual()) {
            throw new IllegalArgumentException("a positive length from a virtual thread, got " + length + " on "
                    + Thread.currentThread());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long position = offset, end = offset + length; position < end; ) {
                long size = Math.min(WINDOW, end - position);
                try (Arena mapped = Arena.ofConfined()) {
                    ByteBuffer placeholder = channel.map(FileChannel.MapMode.READ_ONLY, position, size, mapped).asByteBuffer();
                    region = new Region(placeholder, channel, position);
                    try {
                        Content.Sink.write(sink, position + size >= end, placeholder);
                    } finally {
                        region = null;
                    }
                }
                position += size;
            }
        }
    }

    /** How many bytes this connection sent straight from files, which tells a test the shortcut was taken. */
    long sentFromFiles() {
        return sentFromFiles;
    }

    @Override
    public boolean flush(ByteBuffer... buffers) throws IOException {
        Region current = region;
        int at = current == null ? -1 : indexOf(buffers, current.placeholder);
        if (at < 0) {
            return super.flush(buffers);
        }
        if (at > 0 && !super.flush(Arrays.copyOfRange(buffers, 0, at))) {
            return false;
        }
        if (!sendRegion(current)) {
            return false;
        }
        return at + 1 == buffers.length || super.flush(Arrays.copyOfRange(buffers, at + 1, buffers.length));
    }

    /** Sends what is left of the region; false when the socket is full, and Jetty waits until it can write again. */
    private boolean sendRegion(Region current) throws IOException {
        ByteBuffer placeholder = current.placeholder;
        while (placeholder.hasRemaining()) {
            long sent;
            try {
                sent = current.file.transferTo(current.offset + placeholder.position(), placeholder.remaining(), getChannel());
            } catch (IOException e) {
                throw new EofException(e);
            }
            if (sent <= 0) {
                return false;
            }
            placeholder.position(placeholder.position() + (int) sent);
            sentFromFiles += sent;
            notIdle();
        }
        return true;
    }

    private static int indexOf(ByteBuffer[] buffers, ByteBuffer wanted) {
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] == wanted) {
                return i;
            }
        }
        return -1;
    }
}
