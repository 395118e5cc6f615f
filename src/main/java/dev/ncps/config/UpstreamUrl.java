package dev.ncps.config;

import dev.ncps.nix.PublicKey;
import dev.ncps.upstream.AllowedTarget;
import dev.ncps.upstream.UpstreamSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * An upstream binary cache: its base URL (without parameters), the priority the user pinned with
 * {@code ?priority=N}, which otherwise comes from the upstream's nix-cache-info, and the internal targets its
 * NAR URLs and redirects may lead to ({@code &allow-target=HOST[:PORT]} or an address block, repeatable), and
 * whether its unsigned narinfos are trusted ({@code &trust-unsigned=true}). This is the option's text form; the
 * loader turns it, with its public keys, into the upstream's own {@link UpstreamSpec}.
 */
public record UpstreamUrl(URI uri, OptionalInt priority, List<AllowedTarget> allowedTargets, boolean trustUnsigned) {
    static final String FORM = "an http or https URL with a host, optionally with ?priority=N, ?allow-target=HOST[:PORT] "
            + "and ?trust-unsigned=true, e.g. https://cache.nixos.org";

    public UpstreamUrl {
        allowedTargets = List.copyOf(allowedTargets);
    }

    /** The upstream as its component takes it, signing with {@code keys}. */
    UpstreamSpec spec(List<PublicKey> keys) {
        return new UpstreamSpec(uri, priority.orElse(0), keys, allowedTargets, trustUnsigned);
    }

    static UpstreamUrl parse(String text) throws InvalidValueException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidValueException("expected " + FORM);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getFragment() != null) {
            throw new InvalidValueException("expected " + FORM);
        }
        OptionalInt priority = OptionalInt.empty();
        List<AllowedTarget> allowed = new ArrayList<>();
        boolean trustUnsigned = false;
        if (uri.getRawQuery() != null) {
            for (String param : uri.getRawQuery().split("&")) {
                if (param.startsWith("priority=")) {
                    priority = OptionalInt.of(priority(param.substring("priority=".length())));
                } else if (param.startsWith("allow-target=")) {
                    allowed.add(allowedTarget(param.substring("allow-target=".length())));
                } else if (param.startsWith("trust-unsigned=")) {
                    trustUnsigned = trustUnsigned(param.substring("trust-unsigned=".length()));
                } else if (!param.isEmpty()) {
                    // No parameter is ever sent upstream, so any other one would be silently lost.
                    throw new InvalidValueException("expected " + FORM + "; '" + param
                            + "' is not allowed (only priority=N, allow-target=... and trust-unsigned=true|false)");
                }
            }
        }
        try {
            return new UpstreamUrl(new URI(scheme + "://" + uri.getRawAuthority() + uri.getRawPath()), priority, allowed,
                    trustUnsigned);
        } catch (URISyntaxException e) {
            throw new InvalidValueException("expected " + FORM);
        }
    }

    private static AllowedTarget allowedTarget(String text) throws InvalidValueException {
        try {
            return AllowedTarget.parse(URLDecoder.decode(text, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("allow-target " + e.getMessage());
        }
    }

    private static boolean trustUnsigned(String text) throws InvalidValueException {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new InvalidValueException("expected " + FORM + "; trust-unsigned must be true or false, not '"
                    + text + "'");
        };
    }

    private static int priority(String text) throws InvalidValueException {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0 && value <= UpstreamSpec.MAX_PRIORITY) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected " + FORM + " where N is a whole number from 0 to " + UpstreamSpec.MAX_PRIORITY
                + " (0: the upstream's nix-cache-info decides)");
    }

    /**
     * The name a public key of this upstream must start with, {@code <host>-<n>}. The Go ncps compares
     * against {@code host:port}, but a Nix key name cannot contain ':', so the port is left out.
     */
    public boolean ownsKeyName(String keyName) {
        return keyName.startsWith(uri.getHost() + "-") && keyName.substring(uri.getHost().length() + 1).matches("\\d+");
    }

    @Override
    public String toString() {
        String text = priority.isPresent() ? uri + " (priority " + priority.getAsInt() + ")" : uri.toString();
        text = allowedTargets.isEmpty() ? text : text + " (allowed targets " + allowedTargets + ")";
        return trustUnsigned ? text + " (unsigned narinfos trusted)" : text;
    }
}
