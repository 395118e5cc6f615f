package dev.ncps.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class AccessTokenTest {
    private final AccessToken token = new AccessToken("s3cret");

    @Test
    void bearerWithTheTokenIsAccepted() {
        assertThat(token.accepts("Bearer s3cret")).isTrue();
        assertThat(token.accepts("bearer s3cret")).isTrue();
    }

    @Test
    void basicWithTheTokenAsPasswordIsAcceptedWhateverTheUser() {
        assertThat(token.accepts("Basic " + base64("nix:s3cret"))).isTrue();
        assertThat(token.accepts("Basic " + base64(":s3cret"))).isTrue();
    }

    @Test
    void wrongOrMalformedCredentialsAreRefused() {
        assertThat(token.accepts(null)).isFalse();
        assertThat(token.accepts("")).isFalse();
        assertThat(token.accepts("Bearer s3cre")).isFalse();
        assertThat(token.accepts("Bearer s3cret2")).isFalse();
        assertThat(token.accepts("Basic " + base64("s3cret"))).isFalse();
        assertThat(token.accepts("Basic " + base64("s3cret:x"))).isFalse();
        assertThat(token.accepts("Basic !!!not-base64")).isFalse();
        assertThat(token.accepts("Token s3cret")).isFalse();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
