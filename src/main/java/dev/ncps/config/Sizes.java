package dev.ncps.config;

import java.util.Locale;

/**
 * Byte counts for people (logs, command summaries): 1023 B, 1.5 KiB, 12.0 GiB; next to {@link SizeUnits}, how people
 * write sizes in the configuration.
 */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Sizes() {}

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
