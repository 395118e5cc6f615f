package dev.ncps.nix;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code nix-cache-info} file of a binary cache.
 *
 * <p>Parsing follows Nix: values are trimmed, lines without a colon and unknown keys are ignored, any
 * WantMassQuery other than {@code 1} is false, and missing keys take Nix's defaults ({@code /nix/store},
 * false, 50). A Priority that is not an integer, a StoreDir that is not absolute, or a key given twice
 * is an error.
 */
public record CacheInfo(String storeDir, boolean wantMassQuery, int priority) {
    /** The priority Nix gives a binary cache whose nix-cache-info names none. */
    public static final int DEFAULT_PRIORITY = 50;

    public CacheInfo {
        String problem = storeDirProblem(storeDir);
        if (problem != null) throw new IllegalArgumentException(problem);
    }

    public static CacheInfo parse(String text) throws NixParseException {
        String storeDir = StorePath.STORE_DIR;
        boolean wantMassQuery = false;
        int priority = DEFAULT_PRIORITY;
        Map<String, Integer> seenOnLine = new HashMap<>();
        String[] lines = text.split("\n", -1);
        for (int index = 0; index < lines.length; index++) {
            int lineNumber = index + 1;
            String line = lines[index];
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (!key.equals("StoreDir") && !key.equals("WantMassQuery") && !key.equals("Priority")) continue;
            Integer first = seenOnLine.putIfAbsent(key, lineNumber);
            if (first != null) throw error(lineNumber, "duplicate " + key + " (first on line " + first + ")");
            switch (key) {
                case "StoreDir" -> {
                    String problem = storeDirProblem(value);
                    if (problem != null) throw error(lineNumber, problem);
                    storeDir = value;
                }
                case "WantMassQuery" -> wantMassQuery = value.equals("1");
                default -> priority = priority(lineNumber, value);
            }
        }
        return new CacheInfo(storeDir, wantMassQuery, priority);
    }

    public String serialize() {
        return "StoreDir: " + storeDir + "\nWantMassQuery: " + (wantMassQuery ? 1 : 0) + "\nPriority: " + priority + "\n";
    }

    private static int priority(int lineNumber, String value) throws NixParseException {
        // ASCII only: Integer.parseInt would also take other scripts' digits.
        if (value.matches("-?[0-9]{1,10}")) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                // Ten digits may still overflow an int; reported below.
            }
        }
        throw error(lineNumber, "Priority: \"" + Text.excerpt(value) + "\" is not an integer");
    }

    private static String storeDirProblem(String storeDir) {
        if (storeDir == null || !storeDir.startsWith("/")) {
            return "StoreDir: \"" + Text.excerpt(storeDir) + "\" is not an absolute path";
        }
        for (int i = 0; i < storeDir.length(); i++) {
            if (Character.isISOControl(storeDir.charAt(i))) {
                return "StoreDir: \"" + Text.excerpt(storeDir) + "\" contains a control character";
            }
        }
        return null;
    }

    private static NixParseException error(int lineNumber, String problem) {
        return new NixParseException("nix-cache-info line " + lineNumber + ": " + problem);
    }
}
