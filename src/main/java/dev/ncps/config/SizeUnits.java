package dev.ncps.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as the Go ncps writes them: a whole number and exactly one unit letter, base 1024. A bare {@code 0} is
 * also accepted, since the documentation offers {@code 0} to turn a size-bounded feature off and zero needs no unit.
 */
final class SizeUnits {
    static final String FORM = "a whole number followed by one unit B, K, M, G or T (base 1024), e.g. 100G";

    private static final Pattern SIZE = Pattern.compile("(\\d+)([BKMGTbkmgt])");

    private SizeUnits() {}

    static long parse(String text) throws InvalidValueException {
        if (text.equals("0")) {
            return 0;
        }
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new InvalidValueException("expected " + FORM);
        }
        int shift = 10 * "BKMGT".indexOf(m.group(2).toUpperCase(Locale.ROOT));
        try {
            long number = Long.parseLong(m.group(1));
            if (number > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return number << shift;
        } catch (NumberFormatException tooLarge) {
            throw new InvalidValueException("expected " + FORM + ", below 8 exbibytes");
        }
    }
}
