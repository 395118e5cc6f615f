package dev.ncps.upstream;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * An internal target an upstream may send us to although it is not the upstream itself: a host name, an
 * address or an address block, each optionally with a port ({@code nar-store.internal:9000},
 * {@code 10.1.2.3}, {@code [fd00::5]:8080}, {@code 10.20.0.0/16}). A name matches the name in the URL
 * whatever it resolves to; an address or block matches the address connected to.
 */
public final class AllowedTarget {
    static final String FORM = "HOST, HOST:PORT, [IPv6]:PORT or an address block such as 10.0.0.0/8";

    private final String text;
    private final String name;
    private final Cidr block;
    private final int port;

    private AllowedTarget(String text, String name, Cidr block, int port) {
        this.text = text;
        this.name = name;
        this.block = block;
        this.port = port;
    }

    /** @throws IllegalArgumentException naming the entry and the accepted forms */
    public static AllowedTarget parse(String text) {
        try {
            if (text.contains("/")) {
                return new AllowedTarget(text, null, Cidr.parse(text), -1);
            }
            String host = text;
            int port = -1;
            int colon = text.lastIndexOf(':');
            boolean bracketed = text.startsWith("[");
            if (colon > 0 && (bracketed ? text.indexOf(']') < colon : text.indexOf(':') == colon)) {
                host = text.substring(0, colon);
                port = Integer.parseInt(text.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range");
                }
            }
            host = Hosts.bare(host);
            if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+")) {
                throw new IllegalArgumentException("bad host");
            }
            InetAddress literal = Hosts.literal(host);
            if (literal != null) {
                return new AllowedTarget(text, null, new Cidr(literal.getAddress(), literal.getAddress().length * 8), port);
            }
            return new AllowedTarget(text, host.toLowerCase(Locale.ROOT), null, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an allowed target: expected " + FORM, e);
        }
    }

    /** Whether a connection to {@code address} for {@code host:port} (host as in the URL) is allowed by this entry. */
    boolean matches(String host, int port, InetAddress address) {
        if (this.port >= 0 && this.port != port) {
            return false;
        }
        return name != null ? name.equals(Hosts.bare(host).toLowerCase(Locale.ROOT)) : block.contains(address.getAddress());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AllowedTarget that && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
