package dev.ncps.nix;

/**
 * Byte counts (NAR and file sizes, transfers) for people: bytes below 1 KiB, then KiB, MiB, GiB ... with one
 * decimal: 1023 B, 1.5 KiB, 12.0 GiB. The one formatter of the access log and the maintenance commands.
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
        long tenths = Math.round(value * 10);
        return tenths / 10 + "." + tenths % 10 + " " + UNITS[unit];
    }
}
