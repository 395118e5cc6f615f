package dev.ncps.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.ncps.lru.Schedule;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;

/**
 * The text form of an LRU {@link Schedule}, in the syntax of the Go ncps's cron library (robfig/cron
 * {@code ParseStandard}): five fields, a descriptor such as {@code @daily}, or {@code @every <duration>}.
 */
final class ScheduleText {
    static final String FORM = "a 5-field cron expression (minute hour day-of-month month day-of-week), "
            + "@yearly, @monthly, @weekly, @daily, @hourly or @every <duration>, optionally after TZ=<zone> or "
            + "CRON_TZ=<zone>, e.g. 0 2 * * *, TZ=Europe/Berlin 0 2 * * * or @every 6h";

    private static final Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    private ScheduleText() {}

    static Schedule parse(String text) throws InvalidValueException {
        String trimmed = text.strip();
        for (String prefix : new String[] {"TZ=", "CRON_TZ="}) {
            if (trimmed.startsWith(prefix)) {
                String[] zoneAndRest = trimmed.substring(prefix.length()).split("\\s+", 2);
                if (zoneAndRest.length < 2) {
                    throw new InvalidValueException("expected " + FORM);
                }
                ZoneId zone;
                try {
                    zone = ZoneId.of(zoneAndRest[0]);
                } catch (DateTimeException e) {
                    throw new InvalidValueException("expected " + FORM + " (unknown time zone '" + zoneAndRest[0] + "')");
                }
                return new Schedule.Zoned(text, zone, parse(zoneAndRest[1]));
            }
        }
        if (trimmed.startsWith("@every ")) {
            Duration interval;
            try {
                interval = GoDuration.parse(trimmed.substring("@every ".length()).strip());
            } catch (InvalidValueException e) {
                throw new InvalidValueException("expected " + FORM + " (the @every interval must be " + GoDuration.FORM + ")");
            }
            if (interval.isZero()) {
                throw new InvalidValueException("expected " + FORM + " (the @every interval must be positive)");
            }
            return new Schedule.Every(text, interval);
        }
        String expression = DESCRIPTORS.getOrDefault(trimmed, trimmed);
        if (expression.startsWith("@") || expression.split("\\s+").length != 5) {
            throw new InvalidValueException("expected " + FORM);
        }
        try {
            var cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(expression).validate();
            return new Schedule.Cron(text, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("expected " + FORM + " (" + e.getMessage() + ")");
        }
    }
}
