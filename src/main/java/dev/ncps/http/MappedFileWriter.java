package dev.ncps.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a byte range of a file to a sink one memory-mapped window at a time, unmapping each window as
 * soon as the sink has sent it. Mapping a whole NAR made every page of it count in the process's
 * resident memory until the response ended: with 16 clients on big NARs that was hundreds of MiB
 * (docs/benchmarks.md); a window bounds it per response whatever the NAR's size.
 */
final class MappedFileWriter extends IteratingCallback {
    private final Content.Sink sink;
    private final Callback callback;
    private final FileChannel channel;
    private final long end;
    private final long window;
    private long position;
    private Arena mapped;

    private MappedFileWriter(Content.Sink sink, Callback callback, FileChannel channel, long offset, long length, long window) {
        this.sink = sink;
        this.callback = callback;
        this.channel = channel;
        this.position = offset;
        this.end = offset + length;
        this.window = window;
    }

    /** Starts writing {@code length > 0} bytes of {@code file} from {@code offset}; completes {@code callback}. */
    static void write(Content.Sink sink, Callback callback, Path file, long offset, long length, long window) throws IOException {
        if (length <= 0 || window <= 0) {
            throw new IllegalArgumentException("length and window must be positive, got " + length + " and " + window);
        }
        new MappedFileWriter(sink, callback, FileChannel.open(file, StandardOpenOption.READ), offset, length, window).iterate();
    }

    @Override
    protected Action process() throws IOException {
        unmap();
        if (position >= end) {
            return Action.SUCCEEDED;
        }
        long size = Math.min(window, end - position);
        mapped = Arena.ofShared();
        var segment = channel.map(FileChannel.MapMode.READ_ONLY, position, size, mapped);
        position += size;
        sink.write(position >= end, segment.asByteBuffer(), this);
        return Action.SCHEDULED;
    }

    /**
     * Jetty calls this once, when the iteration succeeded or failed and no write is pending any more,
     * so a window is never unmapped while the sink still reads it.
     */
    @Override
    protected void onCompleted(Throwable causeOrNull) {
        unmap();
        try {
            channel.close();
        } catch (IOException ignored) {
            // A read-only channel has nothing to flush; the response's outcome is decided below.
        }
        if (causeOrNull == null) {
            callback.succeeded();
        } else {
            callback.failed(causeOrNull);
        }
    }

    private void unmap() {
        if (mapped != null) {
            mapped.close();
            mapped = null;
        }
    }
}
