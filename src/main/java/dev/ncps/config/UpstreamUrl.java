package dev.ncps.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * An upstream binary cache: its base URL (without the {@code priority} parameter) and the priority the
 * user pinned with {@code ?priority=N}, which otherwise comes from the upstream's nix-cache-info.
 */
public record UpstreamUrl(URI uri, OptionalInt priority) {
    /** Nix priorities are small; the Go ncps reads them as uint16. */
    static final int MAX_PRIORITY = 65535;
    static final String FORM = "an http or https URL with a host, optionally with ?priority=N, e.g. https://cache.nixos.org";

    public UpstreamUrl {
        if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IllegalArgumentException("not an http(s) URL with a host: " + uri);
        }
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
        if (uri.getRawQuery() != null) {
            for (String param : uri.getRawQuery().split("&")) {
                if (param.startsWith("priority=")) {
                    priority = OptionalInt.of(priority(param.substring("priority=".length())));
                } else if (!param.isEmpty()) {
                    // Nothing but the priority is ever sent upstream, so any other parameter would be silently lost.
                    throw new InvalidValueException("expected " + FORM + "; '" + param + "' is not allowed (only priority=N)");
                }
            }
        }
        try {
            return new UpstreamUrl(new URI(scheme + "://" + uri.getRawAuthority() + uri.getRawPath()), priority);
        } catch (URISyntaxException e) {
            throw new InvalidValueException("expected " + FORM);
        }
    }

    private static int priority(String text) throws InvalidValueException {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0 && value <= MAX_PRIORITY) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected " + FORM + " where N is a whole number from 0 to " + MAX_PRIORITY
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
        return priority.isPresent() ? uri + " (priority " + priority.getAsInt() + ")" : uri.toString();
    }
}
