package dev.ncps.lru;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a task on a cron schedule in a time zone: five-field UNIX expressions, the {@code @daily}-style
 * descriptors, and {@code @every <duration>} as the Go ncps (robfig/cron) accepts them.
 */
public final class CronSchedule {
    private static final Logger log = LoggerFactory.getLogger(CronSchedule.class);
    private static final Pattern EVERY = Pattern.compile("@every\\s+(\\S+)");

    private final String expression;
    private final ExecutionTime executionTime;
    private final Duration every;
    private final ZoneId zone;

    public CronSchedule(String expression, ZoneId zone, Duration every) {
        this.expression = expression;
        this.zone = zone;
        this.every = every;
        this.executionTime = every == null
                ? ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX)).parse(expression))
                : null;
    }

    /** Parses an expression; {@code durationParser} turns the argument of {@code @every} into a Duration. */
    public static CronSchedule parse(String expression, ZoneId zone, java.util.function.Function<String, Duration> durationParser) {
        Matcher m = EVERY.matcher(expression.trim());
        if (m.matches()) {
            return new CronSchedule(expression, zone, durationParser.apply(m.group(1)));
        }
        return new CronSchedule(expression.trim(), zone, null);
    }

    Duration delayAfter(ZonedDateTime now) {
        if (every != null) {
            return every;
        }
        return executionTime.timeToNextExecution(now).orElseThrow(
                () -> new IllegalStateException("cron expression '" + expression + "' never fires"));
    }

    /** Schedules {@code task} repeatedly until the executor shuts down. */
    public void start(ScheduledExecutorService executor, Clock clock, Runnable task) {
        Duration delay = delayAfter(ZonedDateTime.now(clock.withZone(zone)));
        executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("scheduled task '{}' failed", expression, e);
            }
            start(executor, clock, task);
        }, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
}
