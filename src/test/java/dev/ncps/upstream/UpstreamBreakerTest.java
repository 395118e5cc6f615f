package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamBreakerTest {
    final MutableClock clock = new MutableClock();
    final UpstreamBreaker breaker = new UpstreamBreaker(3, Duration.ofSeconds(30), clock);

    void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertThat(breaker.tryAcquire()).isTrue();
            breaker.recordFailure();
        }
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        fail(2);
        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.CLOSED);
        fail(1);
        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.OPEN);
        assertThat(breaker.wouldAllow()).isFalse();
        assertThat(breaker.tryAcquire()).isFalse();
    }

    @Test
    void aSuccessResetsTheCount() {
        fail(2);
        breaker.recordSuccess();
        fail(2);
        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.CLOSED);
    }

    @Test
    void afterTheCooldownExactlyOneProbePasses() {
        fail(3);
        clock.advance(Duration.ofSeconds(30));

        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquire()).isTrue();
        assertThat(breaker.tryAcquire()).isFalse();
        assertThat(breaker.wouldAllow()).isFalse();
    }

    @Test
    void aFailedProbeReopensAndASuccessfulOneCloses() {
        fail(3);
        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.recordFailure();
        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.OPEN);

        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.recordSuccess();
        assertThat(breaker.state()).isEqualTo(UpstreamBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire()).isTrue();
    }

    @Test
    void aNeutralProbeFreesTheProbeSlot() {
        fail(3);
        clock.advance(Duration.ofSeconds(31));
        assertThat(breaker.tryAcquire()).isTrue();
        breaker.recordNeutral();
        assertThat(breaker.tryAcquire()).isTrue();
    }
}
