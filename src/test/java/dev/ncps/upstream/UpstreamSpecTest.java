package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamSpecTest {
    static final List<dev.ncps.nix.PublicKey> KEYS = List.of(UpstreamsTest.NIXOS);

    @Test
    void thePriorityQueryIsTakenOutOfTheUrl() {
        UpstreamSpec spec = UpstreamSpec.parse("https://cache.example/some/cache?priority=10", KEYS);

        assertThat(spec.url()).isEqualTo(URI.create("https://cache.example/some/cache"));
        assertThat(spec.priorityOverride()).isEqualTo(10);
    }

    @Test
    void withoutPriorityTheUpstreamDecides() {
        UpstreamSpec spec = UpstreamSpec.parse("http://127.0.0.1:8080", KEYS);
        assertThat(spec.priorityOverride()).isZero();
        assertThat(spec.url()).isEqualTo(URI.create("http://127.0.0.1:8080"));
    }

    @Test
    void badUrlsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> UpstreamSpec.parse("https://c.example?priority=0", KEYS))
                .hasMessageContaining("priority '0' is not an integer in 1..65535");
        assertThatThrownBy(() -> UpstreamSpec.parse("https://c.example?priority=x", KEYS))
                .hasMessageContaining("priority 'x'");
        assertThatThrownBy(() -> UpstreamSpec.parse("https://c.example?token=1", KEYS))
                .hasMessageContaining("unknown query parameter 'token=1'");
        assertThatThrownBy(() -> UpstreamSpec.parse("ftp://c.example", KEYS))
                .hasMessageContaining("scheme must be http or https");
        assertThatThrownBy(() -> UpstreamSpec.parse("https://c.example", List.of()))
                .hasMessageContaining("no public key");
    }

    @Test
    void theBackoffDoublesUpToTwoSeconds() {
        assertThat(UpstreamHttp.backoff(1)).hasMillis(100);
        assertThat(UpstreamHttp.backoff(2)).hasMillis(200);
        assertThat(UpstreamHttp.backoff(5)).hasMillis(1600);
        assertThat(UpstreamHttp.backoff(6)).hasMillis(2000);
        assertThat(UpstreamHttp.backoff(40)).hasMillis(2000);
    }
}
