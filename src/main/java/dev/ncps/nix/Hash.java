package dev.ncps.nix;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A hash value with its algorithm. Equality is by algorithm and digest, whatever encoding it was parsed from.
 * Text forms: {@code sha256:<nix32>} (Nix's default), {@code sha256:<base16>}, {@code sha256:<base64>}
 * and SRI {@code sha256-<base64>}.
 *
 * <p>For a given algorithm the three digest encodings have distinct lengths, which is how Nix tells them
 * apart and how {@link #parse(HashAlgorithm, String)} does too.
 */
public final class Hash {
    private static final HexFormat HEX = HexFormat.of();

    private final HashAlgorithm algorithm;
    private final byte[] digest;

    private Hash(HashAlgorithm algorithm, byte[] digest) {
        this.algorithm = algorithm;
        this.digest = digest;
    }

    public static Hash of(HashAlgorithm algorithm, byte[] digest) {
        if (digest.length != algorithm.size()) {
            throw new IllegalArgumentException(algorithm.nixName() + " digest must have " + algorithm.size()
                    + " bytes, not " + digest.length);
        }
        return new Hash(algorithm, digest.clone());
    }

    /** Parses any of the text forms above; the encoding is recognised by its length. */
    public static Hash parse(String text) throws NixParseException {
        int colon = text.indexOf(':');
        int dash = text.indexOf('-');
        if (colon > 0 && (dash < 0 || colon < dash)) {
            return parse(HashAlgorithm.fromName(text.substring(0, colon)), text.substring(colon + 1));
        }
        if (dash > 0) {
            HashAlgorithm algorithm = HashAlgorithm.fromName(text.substring(0, dash));
            String base64 = text.substring(dash + 1);
            if (base64.length() != base64Length(algorithm)) {
                throw new NixParseException("SRI hash \"" + Text.excerpt(text) + "\" must have "
                        + base64Length(algorithm) + " base64 characters after \"" + algorithm.nixName() + "-\"");
            }
            return new Hash(algorithm, decodeBase64(algorithm, base64));
        }
        throw new NixParseException("hash \"" + Text.excerpt(text)
                + "\" has no algorithm prefix (expected e.g. sha256:<digest> or sha256-<base64>)");
    }

    /** Parses a bare digest (no algorithm prefix) in nix32, base16 or base64. */
    public static Hash parse(HashAlgorithm algorithm, String digestText) throws NixParseException {
        int length = digestText.length();
        if (length == 2 * algorithm.size()) return new Hash(algorithm, decodeBase16(algorithm, digestText));
        if (length == NixBase32.encodedLength(algorithm.size())) {
            try {
                return new Hash(algorithm, NixBase32.decode(digestText, algorithm.size()));
            } catch (NixParseException e) {
                throw new NixParseException(algorithm.nixName() + " hash: " + e.getMessage());
            }
        }
        if (length == base64Length(algorithm)) return new Hash(algorithm, decodeBase64(algorithm, digestText));
        throw new NixParseException(algorithm.nixName() + " hash \"" + Text.excerpt(digestText) + "\" has "
                + length + " characters; expected " + 2 * algorithm.size() + " (base16), "
                + NixBase32.encodedLength(algorithm.size()) + " (nix32) or " + base64Length(algorithm)
                + " (base64)");
    }

    public HashAlgorithm algorithm() { return algorithm; }

    public byte[] digest() { return digest.clone(); }

    /** {@code sha256:<nix32>}, the form Nix writes in narinfos and fingerprints. */
    public String toNix32String() { return algorithm.nixName() + ":" + nix32Digest(); }

    public String toBase16String() { return algorithm.nixName() + ":" + base16Digest(); }

    public String toSri() { return algorithm.nixName() + "-" + Base64.getEncoder().encodeToString(digest); }

    /** The digest alone in nix32 (as in NAR file names). */
    public String nix32Digest() { return NixBase32.encode(digest); }

    public String base16Digest() { return HEX.formatHex(digest); }

    @Override public boolean equals(Object other) {
        return other instanceof Hash that && algorithm == that.algorithm && Arrays.equals(digest, that.digest);
    }

    @Override public int hashCode() { return 31 * algorithm.hashCode() + Arrays.hashCode(digest); }

    /** Same as {@link #toNix32String()}. */
    @Override public String toString() { return toNix32String(); }

    private static int base64Length(HashAlgorithm algorithm) {
        return (algorithm.size() + 2) / 3 * 4;
    }

    private static byte[] decodeBase16(HashAlgorithm algorithm, String text) throws NixParseException {
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0 || text.charAt(i) > 'f') {
                throw new NixParseException(algorithm.nixName() + " base16 hash has invalid character "
                        + NixBase32.printable(text.charAt(i)) + " at position " + i);
            }
        }
        return HEX.parseHex(text);
    }

    /** Strict: only the canonical spelling (zero unused bits, correct padding) is accepted. */
    private static byte[] decodeBase64(HashAlgorithm algorithm, String text) throws NixParseException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new NixParseException(algorithm.nixName() + " base64 hash \"" + Text.excerpt(text)
                    + "\" is not valid base64: " + e.getMessage());
        }
        if (bytes.length != algorithm.size() || !Base64.getEncoder().encodeToString(bytes).equals(text)) {
            throw new NixParseException(algorithm.nixName() + " base64 hash \"" + Text.excerpt(text)
                    + "\" is not the canonical base64 of " + algorithm.size() + " bytes");
        }
        return bytes;
    }
}
