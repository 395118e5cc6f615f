package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
    private static final byte[] DATA = sample();

    @Test
    void namesAndExtensionsAreNixs() throws Exception {
        assertThat(Compression.fromNixName("zstd")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.fromNixName("br")).isEqualTo(Compression.BROTLI);
        assertThat(Compression.fromNixName(null)).isEqualTo(Compression.BZIP2);
        assertThat(Compression.fromNixName("")).isEqualTo(Compression.BZIP2);
        assertThat(Compression.fromExtension(".zst")).isEqualTo(Compression.ZSTD);
        assertThat(Compression.fromExtension("bz2")).isEqualTo(Compression.BZIP2);
        assertThat(Compression.fromExtension("")).isEqualTo(Compression.NONE);
        assertThat(Compression.LZIP.extension()).isEqualTo(".lzip");
        assertThat(Compression.NONE.extension()).isEmpty();
        for (Compression compression : Compression.values()) {
            assertThat(Compression.fromNixName(compression.nixName())).isEqualTo(compression);
            assertThat(Compression.fromExtension(compression.extension())).isEqualTo(compression);
        }
        assertThatThrownBy(() -> Compression.fromNixName("rar")).isInstanceOf(NixParseException.class).hasMessageContaining("\"rar\"");
        assertThatThrownBy(() -> Compression.fromExtension(".zip")).isInstanceOf(NixParseException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = "LZIP", mode = EnumSource.Mode.EXCLUDE)
    void roundTripsThroughItsOwnCodec(Compression compression) throws Exception {
        assertThat(compression.isSupported()).isTrue();
        byte[] compressed = compress(compression, DATA);
        if (compression != Compression.NONE) assertThat(compressed.length).isLessThan(DATA.length);
        assertThat(decompress(compression, compressed)).isEqualTo(DATA);
        assertThat(decompress(compression, compress(compression, new byte[0]))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "ZSTD", "BZIP2", "LZ4", "GZIP"})
    void decodesConcatenatedFramesAsOneStream(Compression compression) throws Exception {
        byte[] first = compress(compression, Arrays.copyOf(DATA, 1000));
        byte[] second = compress(compression, Arrays.copyOfRange(DATA, 1000, 3000));
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertThat(decompress(compression, both)).isEqualTo(Arrays.copyOf(DATA, 3000));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "LZIP"}, mode = EnumSource.Mode.EXCLUDE)
    void corruptOrTruncatedInputIsAParseError(Compression compression) throws Exception {
        byte[] compressed = compress(compression, DATA);
        byte[] truncated = Arrays.copyOf(compressed, compressed.length / 2);
        assertThatThrownBy(() -> decompress(compression, truncated)).isInstanceOf(NixParseException.class)
                .hasMessageStartingWith("corrupt " + compression.nixName() + " data");
        byte[] garbage = "this is not compressed at all, not even a little".getBytes();
        assertThatThrownBy(() -> decompress(compression, garbage)).isInstanceOf(NixParseException.class);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "LZIP"}, mode = EnumSource.Mode.EXCLUDE)
    void failuresOfTheSourcePassThroughUnchanged(Compression compression) throws Exception {
        byte[] compressed = compress(compression, DATA);
        IOException failure = new IOException("upstream went away");
        InputStream dropping = new InputStream() {
            private int left = compressed.length / 2;
            private int index;

            @Override public int read() throws IOException {
                if (left-- <= 0) throw failure;
                return compressed[index++] & 0xff;
            }
        };
        assertThatThrownBy(() -> decompress(compression, dropping))
                .isInstanceOf(IOException.class).isNotInstanceOf(NixParseException.class)
                .satisfies(e -> assertThat(e == failure || e.getCause() == failure).as("caused by the source").isTrue());
    }

    @Test
    void lzipIsRecognisedButUnsupported() {
        assertThat(Compression.LZIP.isSupported()).isFalse();
        assertThatThrownBy(() -> Compression.LZIP.decompress(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(NixParseException.class).hasMessage("unsupported compression: lzip");
        assertThatThrownBy(() -> Compression.LZIP.compress(new ByteArrayOutputStream()))
                .isInstanceOf(NixParseException.class).hasMessage("unsupported compression: lzip");
    }

    static byte[] compress(Compression compression, byte[] data) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = compression.compress(sink)) {
            out.write(data);
        }
        return sink.toByteArray();
    }

    static byte[] decompress(Compression compression, byte[] data) throws IOException {
        return decompress(compression, new ByteArrayInputStream(data));
    }

    static byte[] decompress(Compression compression, InputStream data) throws IOException {
        try (InputStream in = compression.decompress(data)) {
            return in.readAllBytes();
        }
    }

    /** Compressible but not trivial: words from a small vocabulary with random bytes mixed in. */
    private static byte[] sample() {
        Random random = new Random(7);
        String[] words = {"nix", "store", "narinfo", "glibc", "/nix/store/", "hello", "\n", "ELF", "\0\0\0\0"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < 100_000) {
            out.writeBytes(words[random.nextInt(words.length)].getBytes());
            if (random.nextInt(4) == 0) out.write(random.nextInt(256));
        }
        return out.toByteArray();
    }
}
