package dev.ncps.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ContentCodingTest {
    @Test
    void zstdIsPreferredWheneverTheClientAcceptsIt() {
        assertThat(ContentCoding.negotiate("deflate, gzip, br, zstd")).isEqualTo(ContentCoding.ZSTD);
        assertThat(ContentCoding.negotiate("gzip;q=1.0, zstd;q=0.5")).isEqualTo(ContentCoding.ZSTD);
    }

    @Test
    void gzipIsTheFallback() {
        assertThat(ContentCoding.negotiate("gzip, deflate")).isEqualTo(ContentCoding.GZIP);
        assertThat(ContentCoding.negotiate("zstd;q=0, GZIP")).isEqualTo(ContentCoding.GZIP);
    }

    @Test
    void noAcceptableCodingMeansTheBytesAsStored() {
        assertThat(ContentCoding.negotiate(null)).isNull();
        assertThat(ContentCoding.negotiate("identity")).isNull();
        assertThat(ContentCoding.negotiate("br, deflate")).isNull();
        assertThat(ContentCoding.negotiate("gzip;q=0, zstd;q=0")).isNull();
        assertThat(ContentCoding.negotiate("zstd;q=bad")).isNull();
    }
}
