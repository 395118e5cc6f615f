package dev.ncps.store;

/** Object names: the rule every key must follow (NAR keys are {@link dev.ncps.nix.NarFileKey#storeKey()}). */
public final class StoreKeys {
    private StoreKeys() {}

    /**
     * Checks that {@code key} is a safe object name: characters {@code [A-Za-z0-9._/-]} only, no leading or
     * trailing {@code /}, no empty, {@code .} or {@code ..} segment. Such a key always stays under a store root.
     *
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("invalid object key '': it is empty");
        if (key.length() > 1024) throw bad(key, "it is longer than 1024 characters");
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            boolean allowed = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '/' || ch == '-';
            if (!allowed) throw bad(key, "character '" + ch + "' at index " + i + " is not one of [A-Za-z0-9._/-]");
        }
        if (key.startsWith("/")) throw bad(key, "it starts with '/'");
        if (key.endsWith("/")) throw bad(key, "it ends with '/'");
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) throw bad(key, "it contains an empty segment ('//')");
            if (segment.equals(".") || segment.equals("..")) throw bad(key, "it contains a '" + segment + "' segment");
        }
        return key;
    }

    /** A listing prefix: empty, or a key prefix under the same rules (a trailing '/' is allowed). */
    static String validatePrefix(String prefix) {
        if (prefix.isEmpty()) return prefix;
        validate(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }

    private static IllegalArgumentException bad(String key, String why) {
        return new IllegalArgumentException("invalid object key '" + key + "': " + why);
    }
}
