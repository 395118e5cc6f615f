package dev.ncps.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for misspelt keys: the closest known key within a few edits. */
public final class Suggestions {
    private Suggestions() {}

    public static Optional<String> closest(String unknown, Collection<String> known) {
        int limit = Math.max(2, unknown.length() / 5);
        return known.stream()
                .filter(k -> distance(unknown, k) <= limit)
                .min(Comparator.comparingInt((String k) -> distance(unknown, k)).thenComparing(k -> k));
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
