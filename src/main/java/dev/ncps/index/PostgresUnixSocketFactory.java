package dev.ncps.index;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.SocketFactory;

/**
 * PostgreSQL JDBC's {@code socketFactory}: the driver instantiates it with {@code socketFactoryArg}, the socket
 * file ({@code <dir>/.s.PGSQL.<port>}), and connects the sockets it hands out itself.
 */
public final class PostgresUnixSocketFactory extends SocketFactory {
    private final Path file;

    public PostgresUnixSocketFactory(String file) {
        this.file = Path.of(file);
    }

    @Override
    public Socket createSocket() {
        return new UnixSocket(file);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new UnixSocket(file).connect();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return createSocket(host.getHostName(), port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return createSocket(address, port);
    }
}
