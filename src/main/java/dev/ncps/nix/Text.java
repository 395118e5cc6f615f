package dev.ncps.nix;

/** Small helpers for error messages that quote untrusted input. */
final class Text {
    private static final int MAX_EXCERPT = 80;

    private Text() {}

    /** The input cut to a readable length with control characters escaped, so a message stays one short line. */
    static String excerpt(String text) {
        if (text == null) return "null";
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), MAX_EXCERPT);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0x7f) out.append(c);
            else out.append(String.format("\\x%02x", (int) c));
        }
        if (text.length() > MAX_EXCERPT) out.append("...(").append(text.length()).append(" chars)");
        return out.toString();
    }
}
