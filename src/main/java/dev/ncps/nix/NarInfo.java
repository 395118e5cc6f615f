package dev.ncps.nix;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed {@code .narinfo}. Optional text fields are null when absent; {@code fileSize} is -1 and
 * {@code fileHash} null when absent. References and deriver are store path base names.
 * Parsing is as tolerant as Nix: unknown keys are ignored, a missing Compression is bzip2,
 * {@code Deriver: unknown-deriver} is dropped, hashes may be nix32 or base16.
 *
 * <p>Where Nix is silent about nonsense that could matter to a proxy we are stricter: a repeated
 * single-valued key (two StorePath lines, say) is an error rather than "last one wins", NarHash must be
 * sha256 (the only kind a fingerprint can hold), and an unknown Compression is rejected when parsing
 * rather than when the NAR is fetched. See docs/design/nix-protocol.md.
 */
public record NarInfo(
        StorePath storePath, String url, Compression compression, Hash fileHash, long fileSize,
        Hash narHash, long narSize, List<String> references, String deriver, String system,
        List<String> signatures, String ca) {

    private static final String UNKNOWN_DERIVER = "unknown-deriver";
    private static final Set<String> SINGLE_VALUED = Set.of("StorePath", "URL", "Compression", "FileHash",
            "FileSize", "NarHash", "NarSize", "References", "Deriver", "System", "CA");

    public NarInfo {
        require(storePath != null, "StorePath is missing");
        require(url != null && !url.isEmpty(), "URL is missing");
        requireOneLine(url, "URL");
        require(compression != null, "Compression is missing");
        require(fileSize >= -1, "FileSize is negative: " + fileSize);
        require(narHash != null, "NarHash is missing");
        require(narHash.algorithm() == HashAlgorithm.SHA256,
                "NarHash must be sha256, not " + narHash.algorithm().nixName());
        require(narSize > 0, "NarSize must be positive, not " + narSize);
        references = List.copyOf(references == null ? List.of() : references);
        references.forEach(reference -> requireBaseName(reference, "reference"));
        if (deriver != null) requireBaseName(deriver, "Deriver");
        requireOptionalLine(system, "System");
        signatures = List.copyOf(signatures == null ? List.of() : signatures);
        signatures.forEach(signature -> requireOptionalLine(signature, "Sig"));
        requireOptionalLine(ca, "CA");
    }

    public static NarInfo parse(String text) throws NixParseException {
        return new Parser().parse(text);
    }

    /**
     * The URL of a narinfo text that {@link #serialize()} wrote, read without parsing the rest: a hit served from
     * the index needs only this of it. Null when the text has no URL line.
     */
    public static String urlOf(String serialized) {
        int at = serialized.indexOf("\nURL: ");
        if (at < 0) return null;
        int start = at + "\nURL: ".length();
        int end = serialized.indexOf('\n', start);
        return serialized.substring(start, end < 0 ? serialized.length() : end);
    }

    /** Nix's layout: StorePath, URL, Compression, FileHash, FileSize, NarHash, NarSize, References, Deriver, System, Sig..., CA. */
    public String serialize() {
        StringBuilder out = new StringBuilder(512);
        line(out, "StorePath", storePath.toString());
        line(out, "URL", url);
        line(out, "Compression", compression.nixName());
        if (fileHash != null) line(out, "FileHash", fileHash.toNix32String());
        if (fileSize >= 0) line(out, "FileSize", Long.toString(fileSize));
        line(out, "NarHash", narHash.toNix32String());
        line(out, "NarSize", Long.toString(narSize));
        line(out, "References", String.join(" ", references));
        if (deriver != null) line(out, "Deriver", deriver);
        if (system != null) line(out, "System", system);
        signatures.forEach(signature -> line(out, "Sig", signature));
        if (ca != null) line(out, "CA", ca);
        return out.toString();
    }

    /**
     * {@code 1;<storePath>;<narHash nix32>;<narSize>;<comma-separated absolute reference paths>}.
     * References are sorted and deduplicated, because Nix holds them in a sorted set when it signs and verifies.
     */
    public String fingerprint() {
        StringBuilder refs = new StringBuilder();
        for (String reference : new TreeSet<>(references)) {
            if (!refs.isEmpty()) refs.append(',');
            refs.append(StorePath.STORE_DIR).append('/').append(reference);
        }
        return "1;" + storePath + ";" + narHash.toNix32String() + ";" + narSize + ";" + refs;
    }

    public NarInfo withUrl(String newUrl, Compression newCompression, Hash newFileHash, long newFileSize) {
        return new NarInfo(storePath, newUrl, newCompression, newFileHash, newFileSize, narHash, narSize,
                references, deriver, system, signatures, ca);
    }

    public NarInfo withSignatures(List<String> newSignatures) {
        return new NarInfo(storePath, url, compression, fileHash, fileSize, narHash, narSize, references,
                deriver, system, newSignatures, ca);
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(": ").append(value).append('\n');
    }

    private static void require(boolean condition, String problem) {
        if (!condition) throw new IllegalArgumentException(problem);
    }

    private static void requireOneLine(String value, String field) {
        require(value.indexOf('\n') < 0 && value.indexOf('\r') < 0, field + " contains a line break");
    }

    private static void requireOptionalLine(String value, String field) {
        if (value == null) return;
        require(!value.isEmpty(), field + " is empty");
        requireOneLine(value, field);
    }

    private static void requireBaseName(String baseName, String field) {
        try {
            StorePath.parseBaseName(baseName);
        } catch (NixParseException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** One parse: the fields seen so far and the line being read, for messages that say where. */
    private static final class Parser {
        private final Map<String, Integer> seenOnLine = new HashMap<>();
        private int lineNumber;
        private StorePath storePath;
        private String url;
        private Compression compression = Compression.BZIP2;
        private Hash fileHash;
        private long fileSize = -1;
        private Hash narHash;
        private long narSize = -1;
        private List<String> references = List.of();
        private String deriver;
        private String system;
        private final Set<String> signatures = new LinkedHashSet<>();
        private String ca;

        NarInfo parse(String text) throws NixParseException {
            int position = 0;
            while (position < text.length()) {
                int end = text.indexOf('\n', position);
                if (end < 0) end = text.length();
                lineNumber++;
                String line = text.substring(position, end);
                position = end + 1;
                if (!line.isEmpty()) field(line);
            }
            return build();
        }

        private void field(String line) throws NixParseException {
            int colon = line.indexOf(':');
            if (colon <= 0) throw error("expected \"Key: value\", found \"" + Text.excerpt(line) + "\"");
            if (line.indexOf('\r') >= 0) throw error("carriage return in line (narinfo lines end with \\n alone)");
            String key = line.substring(0, colon);
            String value = line.startsWith(" ", colon + 1) ? line.substring(colon + 2) : line.substring(colon + 1);
            if (SINGLE_VALUED.contains(key)) {
                Integer first = seenOnLine.putIfAbsent(key, lineNumber);
                if (first != null) throw error("duplicate " + key + " (first on line " + first + ")");
            }
            switch (key) {
                case "StorePath" -> storePath = withField(key, () -> StorePath.parse(value));
                case "URL" -> url = nonEmpty(key, value);
                case "Compression" -> compression = withField(key, () -> Compression.fromNixName(nonEmpty(key, value)));
                case "FileHash" -> fileHash = withField(key, () -> Hash.parse(value));
                case "FileSize" -> fileSize = size(key, value);
                case "NarHash" -> narHash = sha256(key, value);
                case "NarSize" -> narSize = size(key, value);
                case "References" -> references = references(value);
                case "Deriver" -> deriver = UNKNOWN_DERIVER.equals(value) ? null
                        : withField(key, () -> StorePath.parseBaseName(value).baseName());
                // Nix writes System only when it is non-empty, and treats an empty one as absent.
                case "System" -> system = value.isEmpty() ? null : value;
                case "Sig" -> signatures.add(nonEmpty(key, value));
                case "CA" -> ca = nonEmpty(key, value);
                default -> { } // Unknown keys are ignored, as Nix does, so newer caches stay readable.
            }
        }

        private NarInfo build() throws NixParseException {
            if (storePath == null) throw missing("StorePath");
            if (url == null) throw missing("URL");
            if (narHash == null) throw missing("NarHash");
            if (narSize < 0) throw missing("NarSize");
            if (narSize == 0) throw new NixParseException("narinfo line " + seenOnLine.get("NarSize")
                    + ": NarSize: must be positive (a NAR is never empty)");
            try {
                return new NarInfo(storePath, url, compression, fileHash, fileSize, narHash, narSize, references,
                        deriver, system, List.copyOf(signatures), ca);
            } catch (IllegalArgumentException e) {
                // The line checks above should make this unreachable; if one is missed, the caller still
                // gets the one exception type this parser promises.
                throw new NixParseException("narinfo: " + e.getMessage(), e);
            }
        }

        private Hash sha256(String key, String value) throws NixParseException {
            Hash hash = withField(key, () -> Hash.parse(value));
            if (hash.algorithm() != HashAlgorithm.SHA256) {
                throw error(key + ": must be a sha256 hash, not " + hash.algorithm().nixName());
            }
            return hash;
        }

        private long size(String key, String value) throws NixParseException {
            boolean digits = !value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9');
            if (digits) {
                try {
                    return Long.parseLong(value);
                } catch (NumberFormatException e) {
                    // 19 digits can still exceed Long.MAX_VALUE; report it below like any other bad size.
                }
            }
            throw error(key + ": \"" + Text.excerpt(value) + "\" is not a size in bytes (0.."
                    + Long.MAX_VALUE + ")");
        }

        private List<String> references(String value) throws NixParseException {
            List<String> result = new java.util.ArrayList<>();
            for (String token : value.split(" ")) {
                if (!token.isEmpty()) result.add(withField("References", () -> StorePath.parseBaseName(token).baseName()));
            }
            return result;
        }

        private String nonEmpty(String key, String value) throws NixParseException {
            if (value.isEmpty()) throw error(key + ": value is empty");
            return value;
        }

        private <T> T withField(String key, FieldParser<T> parser) throws NixParseException {
            try {
                return parser.parse();
            } catch (NixParseException e) {
                throw error(key + ": " + e.getMessage());
            }
        }

        private NixParseException error(String problem) {
            return new NixParseException("narinfo line " + lineNumber + ": " + problem);
        }

        private static NixParseException missing(String key) {
            return new NixParseException("narinfo: required field " + key + " is missing");
        }
    }

    @FunctionalInterface
    private interface FieldParser<T> {
        T parse() throws NixParseException;
    }
}
