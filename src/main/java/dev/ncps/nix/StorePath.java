package dev.ncps.nix;

/**
 * A store path {@code /nix/store/<hash>-<name>}: a 32-character nix32 hash part and a name of Nix's
 * allowed characters. Instances are always valid, so a hash part taken from one can safely name a file.
 *
 * <p>The name rules are Nix's: 1 to 211 characters of {@code [A-Za-z0-9+\-._?=]}, not starting with a
 * dot (which also rules out {@code .} and {@code ..}). No '/' or NUL can get through, so a base name is
 * always a single file name.
 */
public record StorePath(String hashPart, String name) {
    public static final String STORE_DIR = "/nix/store";
    public static final int HASH_PART_LENGTH = 32;
    /** Nix's limit: a base name (hash, dash, name) fits in 255 bytes with room for suffixes like ".drv". */
    static final int MAX_NAME_LENGTH = 211;

    public StorePath {
        String problem = hashPartProblem(hashPart);
        if (problem == null) problem = nameProblem(name);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    /** Parses an absolute path under {@link #STORE_DIR}. */
    public static StorePath parse(String absolutePath) throws NixParseException {
        String prefix = STORE_DIR + "/";
        if (!absolutePath.startsWith(prefix)) {
            throw new NixParseException("store path \"" + Text.excerpt(absolutePath) + "\" is not in " + STORE_DIR);
        }
        return parseBaseName(absolutePath.substring(prefix.length()));
    }

    /** Parses {@code <hash>-<name>} as written in narinfo References and Deriver. */
    public static StorePath parseBaseName(String baseName) throws NixParseException {
        if (baseName.length() < HASH_PART_LENGTH + 2 || baseName.charAt(HASH_PART_LENGTH) != '-') {
            throw new NixParseException("store path base name \"" + Text.excerpt(baseName)
                    + "\" is not <32-char hash>-<name>");
        }
        String hashPart = baseName.substring(0, HASH_PART_LENGTH);
        String name = baseName.substring(HASH_PART_LENGTH + 1);
        String problem = hashPartProblem(hashPart);
        if (problem == null) problem = nameProblem(name);
        if (problem != null) {
            throw new NixParseException("store path base name \"" + Text.excerpt(baseName) + "\": " + problem);
        }
        return new StorePath(hashPart, name);
    }

    /** True for exactly 32 characters of the nix32 alphabet: the only strings that may name a narinfo. */
    public static boolean isValidHashPart(String text) {
        return text != null && text.length() == HASH_PART_LENGTH && NixBase32.isBase32(text);
    }

    public String baseName() { return hashPart + "-" + name; }

    /** The absolute path. */
    @Override public String toString() { return STORE_DIR + "/" + baseName(); }

    private static String hashPartProblem(String hashPart) {
        if (hashPart == null) return "hash part is missing";
        if (isValidHashPart(hashPart)) return null;
        return "hash part \"" + Text.excerpt(hashPart) + "\" must be " + HASH_PART_LENGTH
                + " characters of " + NixBase32.ALPHABET;
    }

    private static String nameProblem(String name) {
        if (name == null || name.isEmpty()) return "name is empty";
        if (name.length() > MAX_NAME_LENGTH) {
            return "name has " + name.length() + " characters; at most " + MAX_NAME_LENGTH + " are allowed";
        }
        if (name.charAt(0) == '.') return "name \"" + Text.excerpt(name) + "\" starts with '.'";
        for (int i = 0; i < name.length(); i++) {
            if (!isNameChar(name.charAt(i))) {
                return "name \"" + Text.excerpt(name) + "\" has invalid character "
                        + NixBase32.printable(name.charAt(i)) + " at position " + i
                        + " (allowed: A-Z a-z 0-9 + - . _ ? =)";
            }
        }
        return null;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '+' || c == '-' || c == '.' || c == '_' || c == '?' || c == '=';
    }
}
