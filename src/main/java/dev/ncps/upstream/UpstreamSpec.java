package dev.ncps.upstream;

import dev.ncps.nix.PublicKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;

/**
 * One configured upstream cache.
 *
 * @param url              the cache's base URL (http or https, optionally with a path prefix), without query
 * @param priorityOverride the {@code ?priority=N} from the configured URL, or 0 for "use the upstream's
 *                         {@code nix-cache-info} Priority". An explicit value always wins.
 * @param keys             the public keys its narinfos must be signed with; never empty (an upstream
 *                         whose signatures cannot be checked is refused, see docs/design/upstreams.md)
 */
public record UpstreamSpec(URI url, int priorityOverride, List<PublicKey> keys) {
    static final int MAX_PRIORITY = 65535;

    public UpstreamSpec {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("upstream URL " + url + ": scheme must be http or https");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("upstream URL " + url + ": no host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream URL " + url
                    + ": query and fragment are not allowed here (use UpstreamSpec.parse for ?priority=)");
        }
        if (priorityOverride < 0 || priorityOverride > MAX_PRIORITY) {
            throw new IllegalArgumentException("upstream URL " + url + ": priority " + priorityOverride
                    + " is out of range (0 = from nix-cache-info, else 1.." + MAX_PRIORITY + ")");
        }
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("upstream " + url
                    + " has no public key: its narinfos could not be verified; configure at least one key for it");
        }
        keys = List.copyOf(keys);
    }

    /**
     * Parses a configured upstream URL such as {@code https://cache.example/sub/path?priority=10}. The
     * {@code priority} query parameter is taken out (it is never sent upstream); any other query parameter
     * is rejected, because it would silently be dropped.
     */
    public static UpstreamSpec parse(String text, List<PublicKey> keys) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("upstream URL '" + text + "' is not a valid URL: " + e.getMessage(), e);
        }
        int priority = 0;
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String parameter : query.split("&")) {
                if (!parameter.startsWith("priority=")) {
                    throw new IllegalArgumentException("upstream URL '" + text + "': unknown query parameter '"
                            + parameter + "' (only priority=N is allowed)");
                }
                priority = parsePriority(text, parameter.substring("priority=".length()));
            }
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return new UpstreamSpec(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path), priority, keys);
    }

    private static int parsePriority(String url, String value) {
        try {
            int priority = Integer.parseInt(value);
            if (priority >= 1 && priority <= MAX_PRIORITY) {
                return priority;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the allowed range
        }
        throw new IllegalArgumentException("upstream URL '" + url + "': priority '" + value
                + "' is not an integer in 1.." + MAX_PRIORITY);
    }
}
