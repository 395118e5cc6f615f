package dev.ncps.index;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.util.ConfigurableSocketFactory;

/**
 * MariaDB Connector/J's {@code socketFactory} for Unix sockets. The driver's own {@code localSocket} needs JNA
 * and its native library; this goes through the JDK. The socket file comes from the JDBC URL parameter
 * {@value #PARAMETER}, which the driver keeps among the options it does not know.
 */
public final class MariaDbUnixSocketFactory extends ConfigurableSocketFactory {
    public static final String PARAMETER = "ncpsUnixSocket";

    private Path file;

    @Override
    public void setConfiguration(Configuration conf, String host) {
        String value = conf.nonMappedOptions().getProperty(PARAMETER);
        file = value == null ? null : Path.of(value);
    }

    @Override
    public Socket createSocket() throws IOException {
        if (file == null) throw new SocketException("the JDBC URL names no " + PARAMETER);
        return new UnixSocket(file);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return ((UnixSocket) createSocket()).connect();
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
