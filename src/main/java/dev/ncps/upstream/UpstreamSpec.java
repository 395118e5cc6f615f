package dev.ncps.upstream;

import dev.ncps.nix.PublicKey;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One configured upstream cache.
 *
 * @param url              the cache's base URL (http or https, optionally with a path prefix), without query
 * @param priorityOverride the {@code ?priority=N} from the configured URL (parsed by the config package),
 *                         or 0 for "use the upstream's {@code nix-cache-info} Priority". An explicit value always wins.
 * @param keys             the public keys its narinfos must be signed with; may be empty, and then only
 *                         content-addressed narinfos (or, with {@code trustUnsigned}, unsigned ones) are accepted
 * @param allowedTargets   internal hosts, addresses or blocks its NAR URLs and redirects may lead to besides its
 *                         own host and port ({@code ?allow-target=}, see {@link TargetPolicy})
 * @param trustUnsigned    its unsigned narinfos are accepted as if signed ({@code ?trust-unsigned=true}, see
 *                         {@link NarInfoCheck})
 */
public record UpstreamSpec(URI url, int priorityOverride, List<PublicKey> keys, List<AllowedTarget> allowedTargets,
                           boolean trustUnsigned) {
    /** Nix priorities are small; the Go ncps reads them as uint16. */
    public static final int MAX_PRIORITY = 65535;

    public UpstreamSpec {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("upstream URL " + MaskedUri.of(url) + ": scheme must be http or https");
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("upstream URL " + MaskedUri.of(url) + ": no host");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream URL " + MaskedUri.of(url)
                    + ": query and fragment are not allowed here (the priority is a separate field)");
        }
        if (!isPriority(priorityOverride)) {
            throw new IllegalArgumentException("upstream URL " + MaskedUri.of(url) + ": priority " + priorityOverride
                    + " is out of range (0 = from nix-cache-info, else 1.." + MAX_PRIORITY + ")");
        }
        keys = List.copyOf(keys);
        allowedTargets = List.copyOf(allowedTargets);
    }

    /** 0 (from nix-cache-info) or a pinned priority up to {@link #MAX_PRIORITY}. */
    public static boolean isPriority(int value) {
        return value >= 0 && value <= MAX_PRIORITY;
    }

    /** This upstream, its narinfos signed with {@code signingKeys}. */
    public UpstreamSpec withKeys(List<PublicKey> signingKeys) {
        return new UpstreamSpec(url, priorityOverride, signingKeys, allowedTargets, trustUnsigned);
    }

    /**
     * Whether a public key named {@code keyName} is this upstream's: {@code <host>-<n>}. The Go ncps compares
     * against {@code host:port}, but a Nix key name cannot contain ':', so the port is left out.
     */
    public boolean ownsKeyName(String keyName) {
        return keyName.startsWith(url.getHost() + "-") && keyName.substring(url.getHost().length() + 1).matches("\\d+");
    }

    /** An upstream without an allow-list whose narinfos must be signed or content-addressed. */
    public UpstreamSpec(URI url, int priorityOverride, List<PublicKey> keys) {
        this(url, priorityOverride, keys, List.of(), false);
    }
}
