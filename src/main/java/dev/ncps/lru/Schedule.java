package dev.ncps.lru;

import com.cronutils.model.time.ExecutionTime;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When the LRU job runs: a cron expression, a fixed interval, or either in a time zone of its own. The text
 * form (the Go ncps's robfig/cron {@code ParseStandard} syntax) is parsed by {@code config.ScheduleText}.
 */
public sealed interface Schedule {
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
}
