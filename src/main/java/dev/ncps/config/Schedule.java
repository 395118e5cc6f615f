package dev.ncps.config;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * When a periodic job runs, in the syntax of the Go ncps's cron library (robfig/cron {@code ParseStandard}):
 * five fields, a descriptor such as {@code @daily}, or {@code @every <duration>}.
 */
public sealed interface Schedule {
    String FORM = "a 5-field cron expression (minute hour day-of-month month day-of-week), "
            + "@yearly, @monthly, @weekly, @daily, @hourly or @every <duration>, optionally after TZ=<zone> or "
            + "CRON_TZ=<zone>, e.g. 0 2 * * *, TZ=Europe/Berlin 0 2 * * * or @every 6h";

    /** The text as configured. */
    String text();

    /** The first run strictly after {@code after}, in {@code after}'s zone. */
    Optional<ZonedDateTime> next(ZonedDateTime after);

    record Cron(String text, ExecutionTime executionTime) implements Schedule {
        @Override
        public Optional<ZonedDateTime> next(ZonedDateTime after) {
            return executionTime.nextExecution(after);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    record Every(String text, Duration interval) implements Schedule {
        @Override
        public Optional<ZonedDateTime> next(ZonedDateTime after) {
            return Optional.of(after.plus(interval));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A schedule whose text began with {@code TZ=<zone>} or {@code CRON_TZ=<zone>}: it runs in that zone. */
    record Zoned(String text, ZoneId zone, Schedule schedule) implements Schedule {
        @Override
        public Optional<ZonedDateTime> next(ZonedDateTime after) {
            return schedule.next(after.withZoneSameInstant(zone));
        }

        @Override
        public String toString() {
            return text;
        }
    }

    Map<String, String> DESCRIPTORS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

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
                return new Zoned(text, zone, parse(zoneAndRest[1]));
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
            return new Every(text, interval);
        }
        String expression = DESCRIPTORS.getOrDefault(trimmed, trimmed);
        if (expression.startsWith("@") || expression.split("\\s+").length != 5) {
            throw new InvalidValueException("expected " + FORM);
        }
        try {
            var cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(expression).validate();
            return new Cron(text, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("expected " + FORM + " (" + e.getMessage() + ")");
        }
    }
}
