package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.nix.PublicKey;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NegativeCacheTest {
    final MutableClock clock = new MutableClock();
    final Upstream a = upstream("http://a.example");
    final Upstream b = upstream("http://b.example");

    Upstream upstream(String url) {
        PublicKey key = UpstreamsTest.NIXOS;
        return new Upstream(new UpstreamSpec(URI.create(url), 0, List.of(key)), 0,
                new UpstreamBreaker(5, Duration.ofSeconds(30), clock));
    }

    @Test
    void entriesArePerUpstreamAndExpire() {
        NegativeCache cache = new NegativeCache(Duration.ofSeconds(30), 10, clock);
        cache.remember(a, "h1");

        assertThat(cache.isKnownMissing(a, "h1")).isTrue();
        assertThat(cache.isKnownMissing(b, "h1")).isFalse();
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.isKnownMissing(a, "h1")).isFalse();
        assertThat(cache.size()).isZero();
    }

    @Test
    void theOldestEntryGoesFirstWhenFull() {
        NegativeCache cache = new NegativeCache(Duration.ofSeconds(30), 2, clock);
        cache.remember(a, "h1");
        cache.remember(a, "h2");
        cache.remember(a, "h1");
        cache.remember(a, "h3");

        assertThat(cache.isKnownMissing(a, "h2")).isFalse();
        assertThat(cache.isKnownMissing(a, "h1")).isTrue();
        assertThat(cache.isKnownMissing(a, "h3")).isTrue();
    }

    @Test
    void aZeroTtlDisablesIt() {
        NegativeCache cache = new NegativeCache(Duration.ZERO, 10, clock);
        cache.remember(a, "h1");
        assertThat(cache.isKnownMissing(a, "h1")).isFalse();
    }
}
