package dev.ncps.lock;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReachabilityBreakerTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final List<String> events = new ArrayList<>();
    private final ReachabilityBreaker breaker = new ReachabilityBreaker(5, Duration.ofMinutes(1), clock,
            new ReachabilityBreaker.Listener() {
                @Override
                public void opened(int failures) {
                    events.add("opened after " + failures);
                }

                @Override
                public void closed() {
                    events.add("closed");
                }

                @Override
                public void reachability(boolean reached) {
                    events.add(reached ? "reached" : "unreachable");
                }
            });

    @Test
    void opensAfterFiveConsecutiveFailuresOnly() {
        for (int i = 0; i < 4; i++) {
            breaker.failure();
        }
        breaker.success();
        for (int i = 0; i < 4; i++) {
            breaker.failure();
        }
        assertThat(breaker.allowRequest()).isTrue();
        breaker.failure();
        assertThat(breaker.allowRequest()).isFalse();
        // Reachability changes at the first failure and the first success, not at each call.
        assertThat(events).containsExactly("unreachable", "reached", "unreachable", "opened after 5");
    }

    @Test
    void afterAMinuteExactlyOneProbeGoesThroughAndItsSuccessCloses() {
        breaker.forceOpen();
        now = now.plusSeconds(59);
        assertThat(breaker.allowRequest()).isFalse();
        now = now.plusSeconds(1);
        assertThat(breaker.allowRequest()).as("the probe").isTrue();
        assertThat(breaker.allowRequest()).as("only one probe per period").isFalse();
        breaker.success();
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(events).containsExactly("opened after 0", "reached", "closed");
    }

    @Test
    void aFailedProbeKeepsItOpenForAnotherMinuteWithoutAnotherTransition() {
        breaker.forceOpen();
        now = now.plusSeconds(60);
        assertThat(breaker.allowRequest()).isTrue();
        breaker.failure();
        now = now.plusSeconds(30);
        assertThat(breaker.allowRequest()).isFalse();
        now = now.plusSeconds(30);
        assertThat(breaker.allowRequest()).isTrue();
        assertThat(events).containsExactly("opened after 0", "unreachable");
    }
}
