package dev.ncps.upstream;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP proxies upstream requests go through, from {@code HTTP_PROXY}, {@code HTTPS_PROXY} and
 * {@code NO_PROXY} (upper case first, then lower case), read the way Go's {@code net/http} reads them, as the
 * Go ncps did: a value without a scheme is an http proxy; {@code NO_PROXY} is a comma-separated list of
 * host names (each also matching its subdomains; a leading dot matches only subdomains), IP addresses,
 * address blocks, any of them with {@code :port}, or {@code *} for "never"; {@code localhost} and loopback
 * addresses are never proxied.
 *
 * @param http     proxy for http:// upstreams, or null
 * @param https    proxy for https:// upstreams (tunnelled with CONNECT), or null
 * @param noProxy  the NO_PROXY entries, lower case
 */
public record Proxies(URI http, URI https, List<String> noProxy) {

    public static final Proxies NONE = new Proxies(null, null, List.of());

    public Proxies {
        noProxy = List.copyOf(noProxy);
    }

    /** @throws IllegalArgumentException naming the variable, its value without credentials and what is accepted */
    public static Proxies fromEnvironment(Map<String, String> env) {
        URI http = proxy(env, "HTTP_PROXY");
        URI https = proxy(env, "HTTPS_PROXY");
        List<String> noProxy = new ArrayList<>();
        for (String entry : variable(env, "NO_PROXY").orElse("").split(",")) {
            String trimmed = entry.strip().toLowerCase(Locale.ROOT);
            if (!trimmed.isEmpty()) {
                noProxy.add(trimmed);
            }
        }
        return new Proxies(http, https, noProxy);
    }

    /** The proxy a request to {@code target} goes through, if any. */
    Optional<URI> proxyFor(String scheme, String host, int port) {
        URI proxy = "https".equalsIgnoreCase(scheme) ? https : http;
        if (proxy == null || bypasses(Hosts.bare(host).toLowerCase(Locale.ROOT), port)) {
            return Optional.empty();
        }
        return Optional.of(proxy);
    }

    private boolean bypasses(String host, int port) {
        InetAddress literal = Hosts.literal(host);
        if (host.equals("localhost") || literal != null && literal.isLoopbackAddress()) {
            return true;
        }
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String name = entry;
            int colon = entry.lastIndexOf(':');
            if (colon > 0 && entry.indexOf(':') == colon || entry.startsWith("[") && entry.contains("]:")) {
                if (!entry.substring(colon + 1).equals(String.valueOf(port))) {
                    continue;
                }
                name = entry.substring(0, colon);
            }
            name = Hosts.bare(name);
            if (literal != null && name.contains("/")) {
                try {
                    if (Cidr.parse(name).contains(literal.getAddress())) {
                        return true;
                    }
                } catch (IllegalArgumentException ignored) {
                    // Not an address block after all; compared as a name below.
                }
            }
            if (name.startsWith(".") ? host.endsWith(name) : host.equals(name) || host.endsWith("." + name)) {
                return true;
            }
            if (literal != null && literal.equals(Hosts.literal(name))) {
                return true;
            }
        }
        return false;
    }

    private static URI proxy(Map<String, String> env, String name) {
        Optional<String> value = variable(env, name);
        if (value.isEmpty()) {
            return null;
        }
        String text = value.get().contains("://") ? value.get() : "http://" + value.get();
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Reported below, without echoing what may be a password.
        }
        throw new IllegalArgumentException(name + ": '" + Hosts.masked(text) + "' is not a proxy URL; expected "
                + "http://HOST:PORT or https://HOST:PORT (optionally with USER:PASSWORD@)");
    }

    /** The upper-case variable, else the lower-case one; blank counts as unset. */
    private static Optional<String> variable(Map<String, String> env, String name) {
        for (String key : List.of(name, name.toLowerCase(Locale.ROOT))) {
            String value = env.get(key);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.strip());
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Proxies[http=" + (http == null ? "none" : Hosts.masked(http)) + ", https="
                + (https == null ? "none" : Hosts.masked(https)) + ", noProxy=" + noProxy + "]";
    }
}
