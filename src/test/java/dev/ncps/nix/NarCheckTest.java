package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bounded check of a NAR file against its narinfo: only the signed NarHash/NarSize decide, and
 * hostile files (consistent lies in FileHash/FileSize, bombs, endless input) cost work bounded by NarSize.
 */
class NarCheckTest {
    private static final byte[] NAR = narOf(randomBytes(64 * 1024, 1));
    private static final byte[] SHORT_NAR = narOf(randomBytes(3 * 1024, 2));
    private static final byte[] SAME_SIZE_OTHER_NAR = narOf(randomBytes(64 * 1024, 3));

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "XZ", "ZSTD", "BZIP2", "GZIP"})
    void theRightFileIsAcceptedWithAndWithoutFileHashAndFileSize(Compression compression) throws IOException {
        byte[] file = CompressionTest.compress(compression, NAR);

        checkOf(compression, file, NAR).verify(new ByteArrayInputStream(file));
        new NarCheck(compression, null, -1, sha256(NAR), NAR.length).verify(new ByteArrayInputStream(file));
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"NONE", "XZ"})
    void anotherNarWithAConsistentFileHashAndFileSizeIsRefusedByTheSignedNarHash(Compression compression) {
        for (byte[] other : new byte[][] {SHORT_NAR, SAME_SIZE_OTHER_NAR}) {
            byte[] file = compressed(compression, other);
            NarCheck lie = new NarCheck(compression, sha256(file), file.length, sha256(NAR), NAR.length);

            assertThatThrownBy(() -> lie.verify(new ByteArrayInputStream(file)))
                    .isInstanceOf(NixParseException.class).hasMessageContaining("signed NarHash/NarSize");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "ZSTD"})
    void anEndlessBombStopsOneByteAfterNarSize(Compression compression) {
        Bomb bomb = new Bomb(compression);
        NarCheck check = new NarCheck(compression, null, -1, sha256(NAR), NAR.length);

        assertThatThrownBy(() -> check.verify(bomb))
                .isInstanceOf(NixParseException.class).hasMessageContaining("larger than its signed NarSize");
        assertThat(bomb.plainBytes).as("bytes the bomb expanded to before it was stopped")
                .isLessThan(NAR.length + 4L * Bomb.CHUNK);
    }

    @Test
    void validXzFollowedByEndlessStreamPaddingStopsAtTheBoundNarSizeAllows() throws IOException {
        byte[] file = CompressionTest.compress(Compression.XZ, NAR);
        CountingStream padded = new CountingStream(file);
        NarCheck noFileSize = new NarCheck(Compression.XZ, null, -1, sha256(NAR), NAR.length);

        assertThatThrownBy(() -> noFileSize.verify(padded))
                .isInstanceOf(NixParseException.class).hasMessageContaining("the most a NarSize of " + NAR.length + " allows");
        assertThat(padded.served).isEqualTo(noFileSize.maxFileSize() + 1);

        CountingStream again = new CountingStream(file);
        NarCheck withFileSize = new NarCheck(Compression.XZ, null, file.length, sha256(NAR), NAR.length);
        assertThatThrownBy(() -> withFileSize.verify(again))
                .isInstanceOf(NixParseException.class).hasMessageContaining("larger than its FileSize of " + file.length);
        assertThat(again.served).isEqualTo(file.length + 1);
    }

    @Test
    void paddingWithinTheBoundIsStillAValidXzFileButNotItsFileHash() throws IOException {
        byte[] file = CompressionTest.compress(Compression.XZ, NAR);
        byte[] padded = java.util.Arrays.copyOf(file, file.length + 4096);

        new NarCheck(Compression.XZ, null, -1, sha256(NAR), NAR.length).verify(new ByteArrayInputStream(padded));
        NarCheck withFileHash = new NarCheck(Compression.XZ, sha256(file), padded.length, sha256(NAR), NAR.length);
        assertThatThrownBy(() -> withFileHash.verify(new ByteArrayInputStream(padded)))
                .isInstanceOf(NixParseException.class).hasMessageContaining("FileHash");
    }

    @Test
    void theFileSizeBoundIsFileSizeOrNarSizeWithHeadroomWhicheverIsSmaller() {
        Hash hash = sha256(NAR);
        long narSize = 1 << 20;
        long headroom = narSize + narSize / 16 + 64 * 1024;
        assertThat(new NarCheck(Compression.NONE, null, -1, hash, narSize).maxFileSize()).isEqualTo(narSize);
        assertThat(new NarCheck(Compression.XZ, null, -1, hash, narSize).maxFileSize()).isEqualTo(headroom);
        assertThat(new NarCheck(Compression.XZ, null, 1000, hash, narSize).maxFileSize()).isEqualTo(1000);
        assertThat(new NarCheck(Compression.XZ, null, 1L << 40, hash, narSize).maxFileSize()).isEqualTo(headroom);
        assertThat(new NarCheck(Compression.XZ, null, -1, hash, Long.MAX_VALUE - 1).maxFileSize()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void incompressibleContentFitsTheHeadroomInEveryCodec() throws IOException {
        byte[] nar = narOf(randomBytes(256 * 1024, 4));
        // lz4 is left out only because its encoder here is very slow; its frames add 4 bytes per 64 KiB block.
        for (Compression compression : new Compression[] {Compression.XZ, Compression.ZSTD, Compression.BZIP2,
                Compression.GZIP, Compression.BROTLI}) {
            byte[] file = CompressionTest.compress(compression, nar);
            NarCheck check = new NarCheck(compression, null, -1, sha256(nar), nar.length);

            assertThat((long) file.length).as("%s of random bytes", compression).isLessThan(check.maxFileSize());
            check.verify(new ByteArrayInputStream(file));
        }
    }

    private static NarCheck checkOf(Compression compression, byte[] file, byte[] nar) {
        return new NarCheck(compression, sha256(file), file.length, sha256(nar), nar.length);
    }

    private static byte[] narOf(byte[] contents) {
        return NarBuilder.archive().tokens("(", "type", "regular", "contents").bytes(contents).str(")").build();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] compressed(Compression compression, byte[] data) {
        try {
            return CompressionTest.compress(compression, data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Hash sha256(byte[] bytes) {
        return Hash.of(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(bytes));
    }

    /** A file followed by zero bytes without end (xz calls them stream padding), counting what it served. */
    private static final class CountingStream extends InputStream {
        private final byte[] file;
        private long served;

        CountingStream(byte[] file) {
            this.file = file;
        }

        @Override public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override public int read(byte[] buffer, int offset, int length) {
            int n = Math.min(length, 8192);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = served + i < file.length ? file[(int) (served + i)] : 0;
            }
            served += n;
            return n;
        }
    }

    /**
     * A compressed NAR whose one file is endless zeros, compressed lazily as the decoder asks for input,
     * so the test sees how far it was expanded.
     */
    private static final class Bomb extends InputStream {
        static final int CHUNK = 1 << 20;
        private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        private final OutputStream encoder;
        private byte[] pending = new byte[0];
        private int position;
        private long plainBytes;

        Bomb(Compression compression) {
            try {
                encoder = compression == Compression.XZ
                        ? new org.tukaani.xz.XZOutputStream(sink, new org.tukaani.xz.LZMA2Options(0))
                        : compression.compress(sink);
                byte[] header = NarBuilder.archive().tokens("(", "type", "regular", "contents").length(1L << 40).build();
                encoder.write(header);
                plainBytes = header.length;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override public int read(byte[] buffer, int offset, int length) throws IOException {
            while (position == pending.length) {
                encoder.write(new byte[CHUNK]);
                plainBytes += CHUNK;
                encoder.flush();
                pending = sink.toByteArray();
                sink.reset();
                position = 0;
            }
            int n = Math.min(length, pending.length - position);
            System.arraycopy(pending, position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
