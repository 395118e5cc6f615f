package dev.ncps.nix;

/** Nix's base-32 encoding (alphabet {@code 0123456789abcdfghijklmnpqrsvwxyz}, least significant digit last). */
public final class NixBase32 {
    public static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
    private NixBase32() {}
    /** Length of the encoding of {@code byteCount} bytes. */
    public static int encodedLength(int byteCount) { throw new UnsupportedOperationException("TODO"); }
    public static String encode(byte[] bytes) { throw new UnsupportedOperationException("TODO"); }
    /** Decodes to {@code byteCount} bytes; rejects bad characters, bad lengths and non-zero excess bits. */
    public static byte[] decode(String text, int byteCount) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    public static boolean isBase32(String text) { throw new UnsupportedOperationException("TODO"); }
}
