package dev.ncps.upstream;

import java.net.InetAddress;
import java.net.URI;

/** Host names as they appear in URLs, origins and resolver calls. */
final class Hosts {
    private Hosts() {}

    /** Without the brackets of an IPv6 literal. */
    static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The address a literal host stands for (no DNS), or null for a name. */
    static InetAddress literal(String host) {
        try {
            return InetAddress.ofLiteral(bare(host));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The port of a URL, with the scheme's default when it names none. */
    static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** The URL for a log line: user info masked, so credentials in it are never written. */
    static String masked(URI uri) {
        return masked(uri.toString());
    }

    /** {@link #masked(URI)} for a URL that may not even parse. */
    static String masked(String url) {
        return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1***@");
    }
}
