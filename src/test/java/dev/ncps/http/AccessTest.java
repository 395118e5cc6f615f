package dev.ncps.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AccessTest {
    private static final String READER = "Bearer reader";
    private static final String WRITER = "Bearer writer";

    @Test
    void withoutTokensEverythingIsOpen() {
        Access access = new Access(null, "");
        assertThat(access.mayRead(null)).isTrue();
        assertThat(access.mayWrite(null)).isTrue();
    }

    @Test
    void withOnlyAReadTokenItGuardsReadsAndWrites() {
        Access access = new Access("reader", null);
        assertThat(access.mayRead(null)).isFalse();
        assertThat(access.mayWrite(null)).isFalse();
        assertThat(access.mayRead(READER)).isTrue();
        assertThat(access.mayWrite(READER)).isTrue();
    }

    @Test
    void withOnlyAnUploadTokenReadsAreOpenAndWritesNeedIt() {
        Access access = new Access(null, "writer");
        assertThat(access.mayRead(null)).isTrue();
        assertThat(access.mayWrite(null)).isFalse();
        assertThat(access.mayWrite(READER)).isFalse();
        assertThat(access.mayWrite(WRITER)).isTrue();
    }

    @Test
    void withBothTheReadTokenCannotWriteButTheUploadTokenCanRead() {
        Access access = new Access("reader", "writer");
        assertThat(access.mayRead(READER)).isTrue();
        assertThat(access.mayRead(WRITER)).isTrue();
        assertThat(access.mayRead("Bearer other")).isFalse();
        assertThat(access.mayWrite(READER)).isFalse();
        assertThat(access.mayWrite(WRITER)).isTrue();
    }
}
