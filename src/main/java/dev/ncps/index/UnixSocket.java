package dev.ncps.index;

import dev.ncps.nix.Streams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Socket} to a Unix domain socket file, for JDBC drivers that talk through {@code java.net.Socket}.
 * The JDK reaches Unix sockets only through {@link SocketChannel} (no native library to bundle), and its
 * {@code socket()} view is not available for them, so this adapts the channel. The channel is non-blocking
 * so reads honour {@link #setSoTimeout}: the drivers bound validation queries and their network timeout by
 * it. TCP options the drivers set ({@code TCP_NODELAY}, keep-alive, linger) mean nothing here and are ignored.
 */
final class UnixSocket extends Socket {
    private final Path file;
    private volatile SocketChannel channel;
    private volatile Selector readable;
    private volatile Selector writable;
    private volatile int timeoutMillis;
    private volatile boolean closed;

    UnixSocket(Path file) {
        this.file = file;
    }

    /** Connects to the socket file; the address the driver computed from the JDBC URL's host is ignored. */
    @Override
    public void connect(SocketAddress ignored, int timeout) throws IOException {
        connect();
    }

    @Override
    public void connect(SocketAddress ignored) throws IOException {
        connect();
    }

    synchronized UnixSocket connect() throws IOException {
        if (closed) throw new SocketException("Socket is closed");
        if (channel != null) throw new SocketException("already connected");
        SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            opened.connect(UnixDomainSocketAddress.of(file));
            opened.configureBlocking(false);
            readable = Selector.open();
            writable = Selector.open();
            opened.register(readable, SelectionKey.OP_READ);
            opened.register(writable, SelectionKey.OP_WRITE);
        } catch (IOException e) {
            opened.close();
            closeSelectors();
            throw new IOException("cannot connect to the socket " + file + ": " + e.getMessage(), e);
        }
        channel = opened;
        return this;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        SocketChannel open = open();
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return Streams.readByte(this);
            }

            @Override
            public int read(byte[] into, int offset, int length) throws IOException {
                if (length == 0) return 0;
                ByteBuffer buffer = ByteBuffer.wrap(into, offset, length);
                long deadline = deadline();
                while (true) {
                    int n = open.read(buffer);
                    if (n != 0) return n;
                    await(readable, deadline, "read");
                }
            }

            @Override
            public void close() throws IOException {
                UnixSocket.this.close();
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        SocketChannel open = open();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] from, int offset, int length) throws IOException {
                ByteBuffer buffer = ByteBuffer.wrap(from, offset, length);
                while (buffer.hasRemaining()) {
                    if (open.write(buffer) == 0) {
                        // The server reads slowly; a full socket buffer is no reason to give up, as over TCP.
                        await(writable, 0, "write");
                    }
                }
            }

            @Override
            public void close() throws IOException {
                UnixSocket.this.close();
            }
        };
    }

    private long deadline() {
        int timeout = timeoutMillis;
        return timeout == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
    }

    /** Waits until the channel is ready; a deadline of 0 waits as long as it takes. */
    private void await(Selector selector, long deadline, String what) throws IOException {
        long waitMillis = 0;
        if (deadline != 0) {
            waitMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (waitMillis <= 0) throw new SocketTimeoutException(what + " timed out on " + file);
        }
        try {
            selector.select(waitMillis);
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new SocketException("Socket closed");
        }
    }

    private SocketChannel open() throws SocketException {
        SocketChannel open = channel;
        if (closed) throw new SocketException("Socket is closed");
        if (open == null) throw new SocketException("Socket is not connected");
        return open;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() {
        return timeoutMillis;
    }

    @Override
    public void setTcpNoDelay(boolean on) {}

    @Override
    public void setKeepAlive(boolean on) {}

    @Override
    public void setSoLinger(boolean on, int linger) {}

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) {
        return this;
    }

    @Override
    public void setReceiveBufferSize(int size) {}

    @Override
    public void setSendBufferSize(int size) {}

    @Override
    public boolean isConnected() {
        return channel != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void shutdownInput() throws IOException {
        open().shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        open().shutdownOutput();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (channel != null) channel.close();
        } finally {
            closeSelectors();
        }
    }

    private void closeSelectors() throws IOException {
        // Waking a reader blocked in select() lets it notice the close instead of waiting for its timeout.
        try {
            if (readable != null) readable.close();
        } finally {
            if (writable != null) writable.close();
        }
    }

    @Override
    public String toString() {
        return "UnixSocket[" + file + (closed ? ", closed" : "") + "]";
    }
}
