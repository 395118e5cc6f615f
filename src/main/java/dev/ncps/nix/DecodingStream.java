package dev.ncps.nix;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A decoder whose failures say whose fault they are: an I/O error of the compressed source (a dropped
 * connection, a timeout) passes through unchanged, anything the codec itself throws (bad magic, bad CRC,
 * truncated frame, or a runtime exception from a library tripping over crafted input) becomes a
 * {@link NixParseException}. Callers can then tell "upstream sent garbage" from "upstream went away".
 */
final class DecodingStream extends FilterInputStream {
    private final Compression compression;
    private final Source source;

    private DecodingStream(Compression compression, Source source, InputStream decoder) {
        super(decoder);
        this.compression = compression;
        this.source = source;
    }

    static InputStream open(Compression compression, InputStream compressed) throws IOException {
        Source source = new Source(compressed);
        try {
            return new DecodingStream(compression, source, compression.openDecoder(source));
        } catch (IOException | RuntimeException e) {
            throw translate(compression, source, e);
        }
    }

    @Override public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException | RuntimeException e) {
            throw translate(compression, source, e);
        }
    }

    @Override public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            return in.read(buffer, offset, length);
        } catch (IOException | RuntimeException e) {
            throw translate(compression, source, e);
        }
    }

    @Override public long skip(long count) throws IOException {
        try {
            return in.skip(count);
        } catch (IOException | RuntimeException e) {
            throw translate(compression, source, e);
        }
    }

    private static IOException translate(Compression compression, Source source, Exception failure) {
        if (failure instanceof NixParseException parse) return parse;
        if (failure instanceof IOException io && source.caused(io)) return io;
        return new NixParseException("corrupt " + compression.nixName() + " data: " + failure, failure);
    }

    /** The compressed input, remembering the last exception it threw. */
    private static final class Source extends FilterInputStream {
        private IOException failure;

        Source(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override public long skip(long count) throws IOException {
            try {
                return in.skip(count);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        boolean caused(Throwable thrown) {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                if (t == failure) return true;
            }
            return false;
        }
    }
}
