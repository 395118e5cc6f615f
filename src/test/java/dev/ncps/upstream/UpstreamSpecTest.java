package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamSpecTest {
    static final List<dev.ncps.nix.PublicKey> KEYS = List.of(UpstreamsTest.NIXOS);

    @Test
    void specsThatCouldNotWorkAreRefusedWithTheReason() {
        assertThatThrownBy(() -> new UpstreamSpec(URI.create("ftp://c.example"), 0, KEYS))
                .hasMessageContaining("scheme must be http or https");
        assertThatThrownBy(() -> new UpstreamSpec(URI.create("https:/no/authority"), 0, KEYS)).hasMessageContaining("no host");
        assertThatThrownBy(() -> new UpstreamSpec(URI.create("https://under_score.example"), 0, KEYS)).hasMessageContaining("no host");
        assertThatThrownBy(() -> new UpstreamSpec(URI.create("https://c.example?priority=10"), 0, KEYS))
                .hasMessageContaining("query and fragment are not allowed");
        assertThatThrownBy(() -> new UpstreamSpec(URI.create("https://c.example"), 65536, KEYS))
                .hasMessageContaining("priority 65536");
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
