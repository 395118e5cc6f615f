package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MaskedUriTest {
    @Test
    void credentialsInAUrlAreMaskedAndTheRestIsKept() {
        assertThat(MaskedUri.of(URI.create("https://user:pa%40ss@cache.example:8443/nar/x.nar.xz?a=b")))
                .isEqualTo("https://***@cache.example:8443/nar/x.nar.xz?a=b");
        assertThat(MaskedUri.of(URI.create("http://token@cache.example/"))).isEqualTo("http://***@cache.example/");
    }

    @Test
    void aUrlWithoutCredentialsIsUnchanged() {
        assertThat(MaskedUri.of(URI.create("https://cache.example/user@x"))).isEqualTo("https://cache.example/user@x");
    }
}
