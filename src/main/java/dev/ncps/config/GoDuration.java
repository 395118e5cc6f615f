package dev.ncps.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Go's {@code time.ParseDuration} syntax, because existing ncps configs are written in it:
 * a sequence of decimal numbers each with a unit ({@code ns us µs ms s m h}), e.g. {@code 1h30m}, {@code 300ms}.
 * Negative durations are rejected: no option here has a meaning for them.
 */
public final class GoDuration {
    static final String FORM = "a Go duration: numbers with units ns, us, ms, s, m or h, e.g. 300ms, 5m, 1h30m";

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS_PER_UNIT = Map.of(
            "ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L, "ms", 1_000_000L,
            "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {}

    /** A command's own duration flag: the error names the flag, the value and the accepted form. */
    public static Duration parseFlag(String flag, String text) throws ConfigException {
        try {
            return parse(text);
        } catch (InvalidValueException e) {
            throw new ConfigException("invalid value for " + flag + ": '" + text + "': " + e.getMessage());
        }
    }

    static Duration parse(String text) throws InvalidValueException {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < text.length() && m.find(end) && m.start() == end) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(NANOS_PER_UNIT.get(m.group(2)))));
            end = m.end();
        }
        if (text.isEmpty() || end != text.length()) {
            throw new InvalidValueException("expected " + FORM);
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException tooLong) {
            throw new InvalidValueException("expected " + FORM + " (at most about 292 years)");
        }
    }
}
