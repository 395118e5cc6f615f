package dev.ncps.upstream;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where one upstream may send us, by its narinfo URLs (which its signature does not cover) and by its
 * redirects. Nix follows both anywhere, and real caches redirect NAR downloads to CDNs, so public hosts stay
 * allowed. What is refused, because a cache server inside a private network could otherwise be steered at
 * the services next to it (cloud metadata, admin ports on loopback):
 * <ul>
 *   <li>an internal address ({@link AddressRanges}), checked on the address actually connected to, unless it
 *       is the upstream's own host and port or on its allow-list;</li>
 *   <li>a NAR URL on the upstream's own host and port outside its base path ({@code ..}, also encoded);</li>
 *   <li>plain http after https.</li>
 * </ul>
 * One instance per upstream; it is the tag of that upstream's requests, so Jetty keeps their connections
 * apart from other upstreams' and the resolver knows whose rules apply.
 */
final class TargetPolicy {

    /** Why a target is refused; {@code label} is the metric label. */
    enum Refusal {
        INTERNAL_ADDRESS("internal_address", "an internal address"),
        OUTSIDE_BASE_PATH("outside_base_path", "a path outside its base URL"),
        SCHEME_DOWNGRADE("scheme_downgrade", "plain http after https"),
        TOO_MANY_REDIRECTS("too_many_redirects", "too many redirects");

        private final String label;
        private final String description;

        Refusal(String label, String description) {
            this.label = label;
            this.description = description;
        }

        String label() {
            return label;
        }

        String description() {
            return description;
        }
    }

    /** A refusal and what exactly was refused (for the log only: clients never see the target). */
    record Verdict(Refusal refusal, String detail) {}

    private final String name;
    private final String host;
    private final int port;
    private final String basePath;
    private final List<AllowedTarget> allowed;

    TargetPolicy(URI base, List<AllowedTarget> allowed) {
        this.host = Hosts.bare(base.getHost()).toLowerCase(Locale.ROOT);
        this.port = Hosts.port(base);
        this.name = base.getHost() + ":" + port;
        String path = decoded(base.getRawPath() == null ? "" : base.getRawPath());
        this.basePath = path.endsWith("/") ? path : path + "/";
        this.allowed = List.copyOf(allowed);
    }

    /** How clients and logs name the upstream: host and port, never its credentials or path. */
    String upstreamName() {
        return name;
    }

    /** The first URL of a request (a NAR URL from a narinfo, or one we built from the base). */
    Optional<Verdict> checkFirst(URI target, URI base) {
        Optional<Verdict> downgrade = checkHop(base, target);
        if (downgrade.isPresent()) {
            return downgrade;
        }
        if (isOwnHostAndPort(target.getHost(), Hosts.port(target)) && escapesBasePath(target.getRawPath())) {
            return Optional.of(new Verdict(Refusal.OUTSIDE_BASE_PATH, "path " + target.getRawPath() + " is outside " + basePath));
        }
        return Optional.empty();
    }

    /** A redirect from {@code from} to {@code to}. */
    Optional<Verdict> checkHop(URI from, URI to) {
        if ("https".equalsIgnoreCase(from.getScheme()) && "http".equalsIgnoreCase(to.getScheme())) {
            return Optional.of(new Verdict(Refusal.SCHEME_DOWNGRADE, "https to http"));
        }
        return Optional.empty();
    }

    /** A connection to {@code address}, resolved from {@code host} for a request to {@code host:port}. */
    Optional<Verdict> checkAddress(String host, int port, InetAddress address) {
        if (isOwnHostAndPort(host, port)) {
            return Optional.empty();
        }
        Optional<String> range = AddressRanges.internalRange(address);
        if (range.isEmpty() || allowed.stream().anyMatch(entry -> entry.matches(host, port, address))) {
            return Optional.empty();
        }
        return Optional.of(new Verdict(Refusal.INTERNAL_ADDRESS,
                Hosts.bare(host) + " is " + address.getHostAddress() + " (" + range.get() + ")"));
    }

    /**
     * A target reached through a proxy, which resolves names itself: only what is internal without DNS is
     * refused here (address literals, {@code localhost}); the proxy's own rules must cover the rest.
     */
    Optional<Verdict> checkProxied(String host, int port) {
        InetAddress literal = Hosts.literal(host);
        if (literal != null) {
            return checkAddress(host, port, literal);
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if ((lower.equals("localhost") || lower.endsWith(".localhost")) && !isOwnHostAndPort(host, port)
                && allowed.stream().noneMatch(entry -> entry.matches(host, port, InetAddress.getLoopbackAddress()))) {
            return Optional.of(new Verdict(Refusal.INTERNAL_ADDRESS, host + " is loopback"));
        }
        return Optional.empty();
    }

    private boolean isOwnHostAndPort(String host, int port) {
        return host != null && Hosts.bare(host).equalsIgnoreCase(this.host) && port == this.port;
    }

    /**
     * Servers decode percent escapes before they resolve dot segments (some more than once, some treat
     * a backslash as a slash), so the path is judged in its fully decoded form: no {@code ..} segment and
     * under the base path.
     */
    private boolean escapesBasePath(String rawPath) {
        String path = decoded(rawPath == null ? "/" : rawPath).replace('\\', '/');
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return !path.startsWith(basePath);
    }

    private static String decoded(String raw) {
        String path = raw;
        for (int round = 0; round < 3 && path.indexOf('%') >= 0; round++) {
            try {
                path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return path;
            }
        }
        return path;
    }
}
