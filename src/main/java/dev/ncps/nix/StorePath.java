package dev.ncps.nix;

/**
 * A store path {@code /nix/store/<hash>-<name>}: a 32-character nix32 hash part and a name of Nix's
 * allowed characters. Instances are always valid, so a hash part taken from one can safely name a file.
 */
public record StorePath(String hashPart, String name) {
    public static final String STORE_DIR = "/nix/store";
    public static final int HASH_PART_LENGTH = 32;
    public StorePath { throw new UnsupportedOperationException("TODO"); }
    /** Parses an absolute path under {@link #STORE_DIR}. */
    public static StorePath parse(String absolutePath) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** Parses {@code <hash>-<name>} as written in narinfo References and Deriver. */
    public static StorePath parseBaseName(String baseName) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** True for exactly 32 characters of the nix32 alphabet: the only strings that may name a narinfo. */
    public static boolean isValidHashPart(String text) { throw new UnsupportedOperationException("TODO"); }
    public String baseName() { throw new UnsupportedOperationException("TODO"); }
    /** The absolute path. */
    @Override public String toString() { throw new UnsupportedOperationException("TODO"); }
}
