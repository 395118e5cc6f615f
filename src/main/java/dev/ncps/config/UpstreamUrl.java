package dev.ncps.config;

import dev.ncps.upstream.AllowedTarget;
import dev.ncps.upstream.UpstreamSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The text form of an upstream binary cache: its base URL, the priority the user pinned with {@code ?priority=N}
 * (otherwise the upstream's nix-cache-info decides), the internal targets its NAR URLs and redirects may lead to
 * ({@code &allow-target=HOST[:PORT]} or an address block, repeatable), and whether its unsigned narinfos are
 * trusted ({@code &trust-unsigned=true}). It parses into the upstream package's own {@link UpstreamSpec}, whose
 * constructor holds the rules (scheme, host, priority range); the loader attaches the public keys.
 */
final class UpstreamUrl {
    static final String FORM = "an http or https URL with a host, optionally with ?priority=N, ?allow-target=HOST[:PORT] "
            + "and ?trust-unsigned=true, e.g. https://cache.nixos.org";
    private static final String PRIORITY_FORM = " where N is a whole number from 0 to " + UpstreamSpec.MAX_PRIORITY
            + " (0: the upstream's nix-cache-info decides)";

    private UpstreamUrl() {}

    static UpstreamSpec parse(String text) throws InvalidValueException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidValueException("expected " + FORM);
        }
        int priority = 0;
        List<AllowedTarget> allowed = new ArrayList<>();
        boolean trustUnsigned = false;
        if (uri.getRawQuery() != null) {
            for (String param : uri.getRawQuery().split("&")) {
                if (param.startsWith("priority=")) {
                    priority = priority(param.substring("priority=".length()));
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
            // Only the query is taken out; whatever else is wrong (no http(s) scheme, no host, a fragment, which is
            // kept so that it is refused rather than dropped unseen) is UpstreamSpec's rule to refuse.
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT) + ":";
            String authority = uri.getRawAuthority() == null ? "" : "//" + uri.getRawAuthority();
            String path = Objects.requireNonNullElse(uri.getRawPath(), "");
            String fragment = uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment();
            URI base = new URI(scheme + authority + path + fragment);
            return new UpstreamSpec(base, priority, List.of(), allowed, trustUnsigned);
        } catch (URISyntaxException | IllegalArgumentException e) {
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
            if (UpstreamSpec.isPriority(value)) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new InvalidValueException("expected " + FORM + PRIORITY_FORM);
    }
}
