package dev.ncps.nix;

/**
 * Nix's base-32 encoding (alphabet {@code 0123456789abcdfghijklmnpqrsvwxyz}, least significant digit last).
 *
 * <p>Nix treats the bytes as one little-endian number and prints its 5-bit digits most significant first,
 * so the last character carries the lowest bits of the first byte. When the bit count is not a multiple
 * of 5 the first character has unused high bits; decoding insists they are zero so that every value has
 * exactly one spelling (a second spelling of a hash could otherwise name a second file).
 */
public final class NixBase32 {
    public static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
    private static final byte[] DIGITS = new byte[128];

    static {
        java.util.Arrays.fill(DIGITS, (byte) -1);
        for (int i = 0; i < ALPHABET.length(); i++) DIGITS[ALPHABET.charAt(i)] = (byte) i;
    }

    private NixBase32() {}

    /** Length of the encoding of {@code byteCount} bytes. */
    public static int encodedLength(int byteCount) {
        if (byteCount < 0) throw new IllegalArgumentException("negative byte count " + byteCount);
        return byteCount == 0 ? 0 : (byteCount * 8 - 1) / 5 + 1;
    }

    public static String encode(byte[] bytes) {
        int length = encodedLength(bytes.length);
        StringBuilder out = new StringBuilder(length);
        for (int n = length - 1; n >= 0; n--) {
            int bit = n * 5;
            int i = bit / 8;
            int j = bit % 8;
            int low = (bytes[i] & 0xff) >>> j;
            int high = i + 1 < bytes.length ? (bytes[i + 1] & 0xff) << (8 - j) : 0;
            out.append(ALPHABET.charAt((low | high) & 0x1f));
        }
        return out.toString();
    }

    /** Decodes to {@code byteCount} bytes; rejects bad characters, bad lengths and non-zero excess bits. */
    public static byte[] decode(String text, int byteCount) throws NixParseException {
        int length = encodedLength(byteCount);
        if (text.length() != length) {
            throw new NixParseException("nix32 string of " + byteCount + " bytes must have " + length
                    + " characters, not " + text.length());
        }
        byte[] bytes = new byte[byteCount];
        for (int n = 0; n < length; n++) {
            int position = length - n - 1;
            int digit = digit(text.charAt(position));
            if (digit < 0) {
                throw new NixParseException("invalid character " + printable(text.charAt(position))
                        + " at position " + position + " of nix32 string (allowed: " + ALPHABET + ")");
            }
            int bit = n * 5;
            int i = bit / 8;
            int j = bit % 8;
            bytes[i] |= (byte) (digit << j);
            int carry = digit >>> (8 - j);
            if (i + 1 < byteCount) {
                bytes[i + 1] |= (byte) carry;
            } else if (carry != 0) {
                throw new NixParseException("nix32 string has non-zero excess bits in its first character "
                        + printable(text.charAt(0)));
            }
        }
        return bytes;
    }

    public static boolean isBase32(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (digit(text.charAt(i)) < 0) return false;
        }
        return true;
    }

    static int digit(char c) {
        return c < 128 ? DIGITS[c] : -1;
    }

    /** A character quoted for an error message, escaped when it is not printable ASCII. */
    static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
