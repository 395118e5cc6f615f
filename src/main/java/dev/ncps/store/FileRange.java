package dev.ncps.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import dev.ncps.nix.Streams;
import software.amazon.awssdk.http.ContentStreamProvider;

/**
 * The bytes of a file from {@code offset} for {@code length}, as the body of an S3 request: the SDK asks for a new
 * stream each time it sends (again, on a retry), and this closes the previous one; {@link #close()} closes the last.
 */
final class FileRange implements ContentStreamProvider, Closeable {
    private final Path file;
    private final long offset;
    private final long length;
    private FileChannel open;

    FileRange(Path file, long offset, long length) {
        this.file = file;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public synchronized InputStream newStream() {
        try {
            close();
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            open = channel;
            return new Stream(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (open != null) {
            open.close();
            open = null;
        }
    }

    /** Positional reads, so that the channel's own position never matters. */
    private final class Stream extends InputStream {
        private final FileChannel channel;
        private long position = offset;

        Stream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            long left = offset + length - position;
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(buffer, off, (int) Math.min(len, left)), position);
            if (n < 0) {
                throw new IOException(file + " ended " + (offset + length - position) + " bytes before the range");
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
