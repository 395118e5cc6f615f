package dev.ncps.nix;

/**
 * A JSON string literal as Nix writes one (the {@code .ls} listing): quote, backslash, {@code \n}, {@code \r} and
 * {@code \t} escaped by name, other control characters as {@code \}{@code u00XX}. ncps's other JSON (the root
 * route, log lines) uses the same rule.
 */
public final class JsonString {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonString() {}

    /** Appends {@code text} to {@code out} as a quoted, escaped JSON string. */
    public static void append(String text, StringBuilder out) {
        out.append('"');
        int plain = plainPrefix(text);
        out.append(text, 0, plain);
        for (int i = plain; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    /**
     * The length of the start of {@code text} that needs no escape: all of it for nearly every log field, which is
     * then copied in one piece; the access log writes several per request.
     */
    private static int plainPrefix(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return i;
            }
        }
        return text.length();
    }
}
