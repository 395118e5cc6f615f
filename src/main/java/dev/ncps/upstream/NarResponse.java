package dev.ncps.upstream;

import dev.ncps.nix.Streams;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.eclipse.jetty.http.HttpHeader;

/**
 * A NAR being received from an upstream (status 200, headers arrived). {@link #body()} streams the bytes
 * exactly as the upstream stores them; a read fails (never blocks forever) when the upstream stalls longer
 * than the body idle timeout, and at the end of the body when fewer or more bytes than expected arrived.
 * {@link #close()} aborts the transfer if the body was not read to its end.
 */
public final class NarResponse implements AutoCloseable {

    private final Upstream upstream;
    private final UpstreamHttp.Exchange exchange;
    private final InputStream body;

    NarResponse(Upstream upstream, UpstreamHttp.Exchange exchange, long expectedSize) {
        this.upstream = upstream;
        this.exchange = exchange;
        this.body = new CheckedBody(exchange, expectedSize);
    }

    public Upstream upstream() {
        return upstream;
    }

    /** The URL the bytes come from (after redirects). */
    public URI uri() {
        return exchange.uri();
    }

    public int status() {
        return exchange.status();
    }

    /** The Content-Length, or -1 when the upstream did not send one. */
    public long contentLength() {
        return exchange.headers().getLongField(HttpHeader.CONTENT_LENGTH);
    }

    /** A response header, or null. */
    public String header(String name) {
        return exchange.headers().get(name);
    }

    public InputStream body() {
        return body;
    }

    @Override
    public void close() {
        exchange.close();
    }

    /** Counts the bytes and turns a wrong total into an error at the end of the stream. */
    private static final class CheckedBody extends FilterInputStream {
        private final UpstreamHttp.Exchange exchange;
        private final long expectedSize;
        private long count;

        CheckedBody(UpstreamHttp.Exchange exchange, long expectedSize) {
            super(exchange.body());
            this.exchange = exchange;
            this.expectedSize = expectedSize;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = super.read(buffer, offset, length);
            } catch (IOException e) {
                throw UpstreamHttp.failure(exchange.uri(), "reading the NAR after " + count + " bytes", e);
            }
            if (n > 0) {
                count += n;
                if (expectedSize >= 0 && count > expectedSize) {
                    throw new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(exchange.uri())
                            + ": more than the expected " + expectedSize + " bytes");
                }
            } else if (n < 0 && expectedSize >= 0 && count != expectedSize) {
                throw new UpstreamException(UpstreamException.Kind.FAILED, MaskedUri.of(exchange.uri()) + ": body ended after "
                        + count + " of the expected " + expectedSize + " bytes");
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] sink = new byte[(int) Math.min(n, 8192)];
            int read = read(sink, 0, sink.length);
            return Math.max(read, 0);
        }
    }
}
