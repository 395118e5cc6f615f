package dev.ncps.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {
    @Test
    void openEndedRangeResumesFromAnOffset() {
        assertThat(ByteRange.parse("bytes=100-", 1000)).isEqualTo(new ByteRange.Partial(new ByteRange(100, 999)));
    }

    @Test
    void closedRangeIsClampedToTheBody() {
        assertThat(ByteRange.parse("bytes=10-19", 1000)).isEqualTo(new ByteRange.Partial(new ByteRange(10, 19)));
        assertThat(ByteRange.parse("bytes=990-5000", 1000)).isEqualTo(new ByteRange.Partial(new ByteRange(990, 999)));
    }

    @Test
    void suffixRangeTakesTheLastBytes() {
        assertThat(ByteRange.parse("bytes=-10", 1000)).isEqualTo(new ByteRange.Partial(new ByteRange(990, 999)));
        assertThat(ByteRange.parse("bytes=-5000", 1000)).isEqualTo(new ByteRange.Partial(new ByteRange(0, 999)));
    }

    @Test
    void rangesOutsideTheBodyAreUnsatisfiable() {
        assertThat(ByteRange.parse("bytes=1000-", 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThat(ByteRange.parse("bytes=20-10", 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThat(ByteRange.parse("bytes=-0", 1000)).isInstanceOf(ByteRange.Unsatisfiable.class);
    }

    @Test
    void absentMultipleOrMalformedRangesMeanTheWholeBody() {
        assertThat(ByteRange.parse(null, 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.parse("bytes=0-1,5-6", 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.parse("items=0-1", 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.parse("bytes=a-b", 1000)).isInstanceOf(ByteRange.Whole.class);
        assertThat(ByteRange.parse("bytes=5", 1000)).isInstanceOf(ByteRange.Whole.class);
    }
}
