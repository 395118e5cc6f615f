package dev.ncps.http;

import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The request paths ncps answers. Parsing is strict: a hash that is not exactly of the expected
 * alphabet and length is refused here, before it can reach an upstream, the database or a file name.
 */
sealed interface Route {
    String UPLOAD_PREFIX = "/upload";
    String TRACE_PREFIX = "/build-trace-v2/";

    /** The routes of one fixed path each, which is also their template. */
    Map<String, Route> FIXED = Map.of("/", new Root(), "/nix-cache-info", new CacheInfo(), "/pubkey", new PubKey(),
            "/healthz", new Healthz(), "/readyz", new Readyz(), "/metrics", new Metrics(), "/pins", new PinList());
    Map<Route, String> FIXED_PATHS = FIXED.entrySet().stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));

    record Root() implements Route {}

    record CacheInfo() implements Route {}

    record PubKey() implements Route {}

    record Healthz() implements Route {}

    record Readyz() implements Route {}

    record Metrics() implements Route {}

    record NarInfo(String hash) implements Route {}

    record Nar(NarFileKey key) implements Route {}

    /** {@code /log/<hash>-<name>.drv}: a derivation's build log. */
    record Log(String drvBaseName) implements Route {}

    /** {@code /<hash>.ls}: the JSON listing of the path's NAR. */
    record Listing(String hash) implements Route {}

    /** {@code /pin/<hash>.narinfo}: pin (POST), unpin (DELETE) or the pin's status (GET). */
    record Pin(String hash) implements Route {}

    /** {@code /pins}: the pinned roots. */
    record PinList() implements Route {}
    /** {@code /build-trace-v2/<hash>-<name>.drv/<output>[.doi]}: a build trace entry (the suffix is optional, as in the Go ncps). */
    record Trace(StorePath drvPath, String outputName) implements Route {}

    /** Not a path of ours (404), or one of ours with a malformed part (400, with the reason). */
    record Invalid(int status, String reason) implements Route {}

    /**
     * A request path as routed, parsed once per request: the handler dispatches on it and the access log
     * labels the request with its {@link #template()}.
     *
     * @param upload whether the path is under {@link #UPLOAD_PREFIX}; {@code route} is then the rest of it
     */
    record Routed(Route route, boolean upload) {
        static Routed of(String path) {
            boolean upload = path.equals(UPLOAD_PREFIX) || path.startsWith(UPLOAD_PREFIX + "/");
            return new Routed(parse(upload ? path.substring(UPLOAD_PREFIX.length()) : path), upload);
        }

        /**
         * The route template, for metrics: one of a fixed set, so a label made from it stays small whatever
         * clients send.
         */
        String template() {
            String prefix = upload ? UPLOAD_PREFIX : "";
            return switch (route) {
                case Root _, CacheInfo _, PubKey _, Healthz _, Readyz _, Metrics _, PinList _ ->
                        prefix + FIXED_PATHS.get(route);
                case NarInfo ignored -> prefix + "/{hash}.narinfo";
                case Nar ignored -> prefix + "/nar/{hash}.nar";
                case Listing ignored -> prefix + "/{hash}.ls";
                case Log ignored -> prefix + "/log/{drv}";
                case Pin ignored -> prefix + "/pin/{hash}.narinfo";
                case Trace ignored -> prefix + "/build-trace-v2/{drv}/{output}";
                case Invalid ignored -> "other";
            };
        }
    }

    static Route parse(String path) {
        Route fixed = FIXED.get(path);
        if (fixed != null) {
            return fixed;
        }
        if (path.endsWith(".narinfo") && path.lastIndexOf('/') == 0) {
            String hash = path.substring(1, path.length() - ".narinfo".length());
            return StorePath.isValidHashPart(hash) ? new NarInfo(hash)
                    : new Invalid(400, "invalid narinfo hash: expected 32 characters of Nix's base-32 alphabet");
        }
        if (path.startsWith("/pin/")) {
            String name = path.substring("/pin/".length());
            String hash = name.endsWith(".narinfo") ? name.substring(0, name.length() - ".narinfo".length()) : "";
            return StorePath.isValidHashPart(hash) ? new Pin(hash)
                    : new Invalid(400, "invalid pin path: expected /pin/<32 characters of Nix's base-32 alphabet>.narinfo");
        }
        if (path.startsWith("/log/")) {
            String drv = path.substring("/log/".length());
            try {
                if (drv.endsWith(".drv")) {
                    return new Log(StorePath.parseBaseName(drv).baseName());
                }
            } catch (NixParseException e) {
                // answered below
            }
            return new Invalid(400, "invalid build log path: expected /log/<hash>-<name>.drv");
        }
        if (path.startsWith(TRACE_PREFIX)) {
            return trace(path.substring(TRACE_PREFIX.length()));
        }
        if (path.endsWith(".ls") && path.lastIndexOf('/') == 0) {
            String hash = path.substring(1, path.length() - ".ls".length());
            return StorePath.isValidHashPart(hash) ? new Listing(hash)
                    : new Invalid(400, "invalid listing hash: expected 32 characters of Nix's base-32 alphabet");
        }
        if (path.startsWith("/nar/")) {
            try {
                return new Nar(NarFileKey.parseUrl(path.substring(1)));
            } catch (NixParseException e) {
                return new Invalid(400, "invalid NAR path: " + e.getMessage());
            }
        }
        return new Invalid(404, "not found");
    }

    private static Route trace(String rest) {
        int slash = rest.indexOf('/');
        String output = slash < 0 ? "" : rest.substring(slash + 1);
        if (output.endsWith(".doi")) {
            output = output.substring(0, output.length() - ".doi".length());
        }
        if (slash > 0 && rest.substring(0, slash).endsWith(".drv") && dev.ncps.nix.BuildTrace.isValidOutputName(output)) {
            try {
                return new Trace(StorePath.parseBaseName(rest.substring(0, slash)), output);
            } catch (NixParseException e) {
                // answered below
            }
        }
        return new Invalid(400, "invalid build trace path: expected /build-trace-v2/<hash>-<name>.drv/<output>.doi");
    }
}
