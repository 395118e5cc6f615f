package dev.ncps.nix;

/**
 * A hash value with its algorithm. Equality is by algorithm and digest, whatever encoding it was parsed from.
 * Text forms: {@code sha256:<nix32>} (Nix's default), {@code sha256:<base16>}, {@code sha256:<base64>}
 * and SRI {@code sha256-<base64>}.
 */
public final class Hash {
    public static Hash of(HashAlgorithm algorithm, byte[] digest) { throw new UnsupportedOperationException("TODO"); }
    /** Parses any of the text forms above; the encoding is recognised by its length. */
    public static Hash parse(String text) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** Parses a bare digest (no algorithm prefix) in nix32, base16 or base64. */
    public static Hash parse(HashAlgorithm algorithm, String digestText) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    public HashAlgorithm algorithm() { throw new UnsupportedOperationException("TODO"); }
    public byte[] digest() { throw new UnsupportedOperationException("TODO"); }
    /** {@code sha256:<nix32>}, the form Nix writes in narinfos and fingerprints. */
    public String toNix32String() { throw new UnsupportedOperationException("TODO"); }
    public String toBase16String() { throw new UnsupportedOperationException("TODO"); }
    public String toSri() { throw new UnsupportedOperationException("TODO"); }
    /** The digest alone in nix32 (as in NAR file names). */
    public String nix32Digest() { throw new UnsupportedOperationException("TODO"); }
    public String base16Digest() { throw new UnsupportedOperationException("TODO"); }
    /** Same as {@link #toNix32String()}. */
    @Override public String toString() { throw new UnsupportedOperationException("TODO"); }
}
