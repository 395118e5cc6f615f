package dev.ncps.nix;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NAR file as a narinfo's URL names it, {@code nar/<narHash>.nar<compression ext>}, and the storage key
 * it is kept under. The one place that parses either form: routes, uploads, the index and fsck all go
 * through it, so what one accepts the others accept too.
 *
 * <p>The parsers accept only {@link #NAME the names ncps serves}. The constructor does not check, because
 * index rows (imported from the Go ncps, or written by older versions) are read back as they are.
 */
public record NarFileKey(String narHash, Compression compression) {
    /**
     * The names ncps serves NARs under (a regular expression): a sha256 in nix32 (52 characters) or base16
     * (64), as Nix and the Go ncps name them. A narinfo ncps publishes never names another.
     */
    public static final String NAME = "[0-9a-df-np-sv-z]{52}|[0-9a-f]{64}";

    private static final String URL_PREFIX = "nar/";
    private static final Pattern STORE_KEY = Pattern.compile("store/nar/./../(" + NAME + ")\\.nar(\\.[a-z0-9]+)?");

    /**
     * Parses a relative narinfo URL.
     *
     * @throws NixParseException when it is not of that form or names an unknown compression; the message
     *         quotes the URL first, so callers can put what it is in front ("URL", "invalid NAR path:")
     */
    public static NarFileKey parseUrl(String url) throws NixParseException {
        // By hand rather than with a regular expression: every narinfo hit from the index parses its URL, and
        // the match was a twentieth of such a hit's CPU (docs/benchmarks.md).
        int dot = url.indexOf('.', URL_PREFIX.length());
        if (!url.startsWith(URL_PREFIX) || dot < 0 || !isName(url, URL_PREFIX.length(), dot)
                || !url.startsWith(".nar", dot) || !isExtension(url, dot + ".nar".length())) {
            throw new NixParseException("'" + Text.excerpt(url)
                    + "' is not of the form nar/<sha256 as 52 nix32 or 64 hex characters>.nar[.<ext>]");
        }
        try {
            return new NarFileKey(url.substring(URL_PREFIX.length(), dot),
                    Compression.fromExtension(url.substring(dot + ".nar".length())));
        } catch (NixParseException e) {
            throw new NixParseException("'" + Text.excerpt(url) + "': " + e.getMessage());
        }
    }

    /** Whether {@code text[from, to)} is a {@link #NAME}. */
    private static boolean isName(String text, int from, int to) {
        int length = to - from;
        if (length != 52 && length != 64) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            boolean ok = length == 64 ? c >= '0' && c <= '9' || c >= 'a' && c <= 'f' : NixBase32.digit(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the rest of {@code text} from {@code from} is empty or one {@code .<lowercase letters and digits>}. */
    private static boolean isExtension(String text, int from) {
        if (from == text.length()) {
            return true;
        }
        if (text.charAt(from) != '.' || from + 1 == text.length()) {
            return false;
        }
        for (int i = from + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    /** The NAR file a narinfo URL names, if it is one {@link #parseUrl} accepts. */
    public static Optional<NarFileKey> ofUrl(String url) {
        if (url == null) return Optional.empty();
        try {
            return Optional.of(parseUrl(url));
        } catch (NixParseException e) {
            return Optional.empty();
        }
    }

    /** The NAR file a storage key names, if the key has exactly the layout of {@link #storeKey()}. */
    public static Optional<NarFileKey> ofStoreKey(String key) {
        Matcher m = STORE_KEY.matcher(key);
        if (!m.matches()) return Optional.empty();
        try {
            NarFileKey narFile = of(m);
            return key.equals(narFile.storeKey()) ? Optional.of(narFile) : Optional.empty();
        } catch (NixParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The name ncps serves a narinfo's NAR under, whatever the upstream called it (upstream URLs are opaque:
     * Cachix UUIDs, nix-serve prefixes, query strings): the sha256 of the file, its FileHash, as Nix names
     * it; without a sha256 FileHash (none, or another algorithm such as sha512) the NarHash, since the routes
     * serve sha256 names only.
     */
    public static NarFileKey servedFor(NarInfo narInfo) {
        Hash fileHash = narInfo.fileHash();
        Hash name = fileHash != null && fileHash.algorithm() == HashAlgorithm.SHA256 ? fileHash : narInfo.narHash();
        return new NarFileKey(name.nix32Digest(), narInfo.compression());
    }

    private static NarFileKey of(Matcher m) throws NixParseException {
        return new NarFileKey(m.group(1), Compression.fromExtension(m.group(2) == null ? "" : m.group(2)));
    }

    /** The relative URL a narinfo names it by. */
    public String url() {
        return "nar/" + narHash + ".nar" + compression.extension();
    }

    /**
     * The object name, identical to the Go ncps layout so that {@code aws s3 sync} of a local folder gives a
     * valid S3 bucket and back: {@code store/nar/<n0>/<n0n1>/<N>.nar<ext>}.
     */
    public String storeKey() {
        return "store/nar/" + narHash.charAt(0) + "/" + narHash.substring(0, 2) + "/" + narHash + ".nar"
                + compression.extension();
    }
}
