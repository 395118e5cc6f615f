package dev.ncps.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * An upstream binary cache: its base URL (without the {@code priority} parameter) and the priority the
 * user pinned with {@code ?priority=N}, which otherwise comes from the upstream's nix-cache-info.
 */
public record UpstreamUrl(URI uri, OptionalInt priority) {
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
        List<String> rest = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String param : uri.getRawQuery().split("&")) {
                if (param.startsWith("priority=")) {
                    priority = OptionalInt.of(priority(param.substring("priority=".length())));
                } else if (!param.isEmpty()) {
                    rest.add(param);
                }
            }
        }
        try {
            String query = rest.isEmpty() ? "" : "?" + String.join("&", rest);
            return new UpstreamUrl(new URI(scheme + "://" + uri.getRawAuthority() + uri.getRawPath() + query), priority);
        } catch (URISyntaxException e) {
            throw new InvalidValueException("expected " + FORM);
        }
    }

    private static int priority(String text) throws InvalidValueException {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected " + FORM + " where N is a whole number ≥ 0");
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
