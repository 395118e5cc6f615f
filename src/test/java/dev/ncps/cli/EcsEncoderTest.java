package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EcsEncoderTest {
    private final EcsEncoder encoder = new EcsEncoder();
    private final LoggerContext context = new LoggerContext();

    private String encodeAt(String instant, String message) {
        LoggingEvent event = new LoggingEvent("x", context.getLogger("t"), Level.INFO, message, null, null);
        event.setTimeStamp(Instant.parse(instant).toEpochMilli());
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    /** The second is cached; each line must still carry its own millisecond, and a new second its own text. */
    @Test
    void timestampsAreUtcWithMillisecondsAcrossSecondsAndMidnight() {
        for (String instant : new String[] {"2026-12-02T05:50:01.042Z", "2026-12-02T05:50:01.999Z",
            "2026-12-02T05:50:02.000Z", "2026-12-02T23:59:59.500Z", "2026-12-03T00:00:00.007Z", "1969-12-31T23:59:59.250Z"}) {
            assertThat(encodeAt(instant, "m")).startsWith("{\"@timestamp\":\"" + instant + "\",");
        }
    }

    @Test
    void controlCharactersAndQuotesInAFieldAreEscaped() {
        assertThat(encodeAt("2026-12-02T05:50:01.042Z", "a\"b\\c\u0001d\te"))
                .contains("\"message\":\"a\\\"b\\\\c\\u0001d\\te\"");
    }
}
