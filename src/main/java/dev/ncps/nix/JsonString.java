package dev.ncps.nix;

/**
 * A JSON string literal as Nix writes one (the {@code .ls} listing): quote, backslash, {@code \n}, {@code \r} and
 * {@code \t} escaped by name, other control characters as {@code \}{@code u00XX}. ncps's other JSON (the root
 * route, log lines) uses the same rule.
 */
public final class JsonString {
    private JsonString() {}

    /** Appends {@code text} to {@code out} as a quoted, escaped JSON string. */
    public static void append(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
