package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NarReaderTest {
    @Test
    void hashesAndListsASmallPackage() throws Exception {
        byte[] nar = NarBuilder.samplePackage();
        NarReader.Summary summary = NarReader.read(new ByteArrayInputStream(nar), true);
        byte[] sha256 = HashAlgorithm.SHA256.newDigest().digest(nar);
        assertThat(summary.narHash()).isEqualTo(Hash.of(HashAlgorithm.SHA256, sha256));
        assertThat(summary.narSize()).isEqualTo(nar.length);
        assertThat(summary.entries()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("narOffset").containsExactly(
                new NarReader.Entry("", NarReader.Type.DIRECTORY, 0, false, null, 0),
                new NarReader.Entry("bin", NarReader.Type.DIRECTORY, 0, false, null, 0),
                new NarReader.Entry("bin/hello", NarReader.Type.REGULAR, 21, true, null, 0),
                new NarReader.Entry("bin/readme", NarReader.Type.SYMLINK, 0, false, "../share/README", 0),
                new NarReader.Entry("share", NarReader.Type.DIRECTORY, 0, false, null, 0),
                new NarReader.Entry("share/README", NarReader.Type.REGULAR, 12, false, null, 0));
        // A regular file's contents start right after its little-endian u64 length; nothing else has an offset.
        assertThat(summary.entries()).allSatisfy(entry -> {
            if (entry.type() == NarReader.Type.REGULAR) {
                long length = 0;
                for (int i = 1; i <= 8; i++) length = (length << 8) | (nar[(int) entry.narOffset() - i] & 0xff);
                assertThat(length).isEqualTo(entry.size());
            } else {
                assertThat(entry.narOffset()).isZero();
            }
        });
        assertThat(NarReader.read(new ByteArrayInputStream(nar), false).entries()).isEmpty();
    }

    @Test
    void acceptsASingleFileASymlinkAndAnEmptyDirectoryAsRoot() throws Exception {
        assertThat(read(NarBuilder.archive().regular("", false).build()).entries()).hasSize(1);
        assertThat(read(NarBuilder.archive().symlink("/etc").build()).entries().getFirst().target()).isEqualTo("/etc");
        assertThat(read(NarBuilder.archive().tokens("(", "type", "directory", ")").build()).entries()).hasSize(1);
    }

    @Test
    void streamsLargeFilesWithoutHoldingThem() throws Exception {
        long size = 64L * 1024 * 1024;
        byte[] head = NarBuilder.archive().tokens("(", "type", "regular", "contents").length(size).build();
        byte[] tail = NarBuilder.archive().str(")").build();
        byte[] close = Arrays.copyOfRange(tail, NarBuilder.archive().build().length, tail.length);
        InputStream nar = new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(head), new ZeroStream(size)),
                new ByteArrayInputStream(close));
        assertThat(NarReader.read(nar, true).narSize()).isEqualTo(head.length + size + close.length);
    }

    @Test
    void aHostileFileSizeIsJustTruncated() {
        byte[] nar = NarBuilder.archive().tokens("(", "type", "regular", "contents").length(1L << 62).raw(new byte[100]).build();
        assertError(nar, "NAR is truncated (stream ended while reading contents of \"\")");
        byte[] negative = NarBuilder.archive().tokens("(", "type", "regular", "contents").length(-5).build();
        assertError(negative, "size of file \"\" exceeds");
        byte[] hugeName = NarBuilder.archive().tokens("(", "type", "directory", "entry", "(", "name").length(Long.MAX_VALUE).build();
        assertError(hugeName, "file name has length 9223372036854775807; at most 255 bytes are allowed");
        byte[] hugeToken = NarBuilder.archive().length(-1).build();
        assertError(hugeToken, "keyword has length 18446744073709551615");
    }

    @Test
    void rejectsUnsortedDuplicateAndDangerousNames() {
        assertError(dir("b", "a"), "entry \"a\" in directory \"\" is not after \"b\"");
        assertError(dir("a", "a"), "is not after");
        assertError(dir(".."), "file name \"..\" is not allowed");
        assertError(dir("."), "file name \".\" is not allowed");
        assertError(dir("a/b"), "contains '/'");
        assertError(dir("a\0b"), "contains a NUL byte");
        assertError(dir(""), "empty file name");
        assertError(dir("x".repeat(256)), "at most 255 bytes");
        assertThat(dir("x".repeat(255))).satisfies(nar -> read(nar));
        // Sorting is by bytes: uppercase before lowercase, shorter prefix first.
        assertThat(dir("B", "a", "ab")).satisfies(nar -> read(nar));
    }

    @Test
    void rejectsBadSymlinkTargets() {
        assertError(NarBuilder.archive().symlink("a\0b").build(), "symlink target of \"\" contains a NUL byte");
        assertError(NarBuilder.archive().symlink("x".repeat(4097)).build(), "symlink target has length 4097; at most 4096");
    }

    @Test
    void rejectsNonZeroPaddingAndTrailingData() {
        byte[] nar = NarBuilder.archive().regular("abc", false).build();
        int paddingOfContents = nar.length - 16 - 5;
        nar[paddingOfContents] = 1;
        assertError(nar, "non-zero padding byte");
        byte[] trailing = NarBuilder.archive().regular("abc", false).raw(new byte[] {0}).build();
        assertError(trailing, "trailing data after the end of the NAR");
    }

    @Test
    void rejectsStructuralMistakes() {
        assertError(NarBuilder.archive().build(), "NAR offset 24: NAR is truncated");
        assertError(new byte[0], "NAR offset 0: NAR is truncated (stream ended while reading length field)");
        assertError(new NarBuilder().str("nix-archive-2").build(), "NAR offset 0: expected \"nix-archive-1\", found \"nix-archive-2\"");
        assertError(NarBuilder.archive().tokens("(", "type", "fifo").build(), "unknown node type \"fifo\"");
        assertError(NarBuilder.archive().tokens("(", "type", "regular", "executable", "x").build(), "expected \"\", found \"x\"");
        assertError(NarBuilder.archive().tokens("(", "type", "regular", "size").build(), "expected \"contents\" or \"executable\"");
        assertError(NarBuilder.archive().tokens("(", "type", "directory", "name").build(), "expected \"entry\" or \")\"");
        assertError(NarBuilder.archive().tokens("(", "type", "directory").entry("a").regular("", false).str("(").build(),
                "expected \")\", found \"(\"");
    }

    @Test
    void nestingIsBoundedByThePathLengthNotByTheStack() throws Exception {
        // "d/d/.../d" with 2048 levels is 4095 bytes: allowed; one level more is past PATH_MAX.
        assertThat(read(nested(2048)).entries()).hasSize(2049).last().extracting(NarReader.Entry::path)
                .asString().hasSize(4095);
        assertError(nested(2049), "is longer than 4096 bytes");
    }

    @Test
    void sourceErrorsPassThroughUnchanged() {
        IOException failure = new IOException("connection reset");
        InputStream broken = new InputStream() {
            @Override public int read() throws IOException { throw failure; }
            @Override public int read(byte[] b, int off, int len) throws IOException { throw failure; }
        };
        assertThatThrownBy(() -> NarReader.read(broken, false)).isSameAs(failure);
    }

    private static byte[] nested(int depth) {
        NarBuilder nar = NarBuilder.archive();
        for (int i = 0; i < depth; i++) nar.tokens("(", "type", "directory").entry("d");
        nar.regular("leaf", false);
        for (int i = 0; i < depth; i++) nar.tokens(")", ")");
        return nar.build();
    }

    private static byte[] dir(String... names) {
        NarBuilder nar = NarBuilder.archive().tokens("(", "type", "directory");
        for (String name : names) nar.entry(name).regular("", false).str(")");
        return nar.str(")").build();
    }

    private static NarReader.Summary read(byte[] nar) {
        try {
            return NarReader.read(new ByteArrayInputStream(nar), true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertError(byte[] nar, String message) {
        assertThatThrownBy(() -> NarReader.read(new ByteArrayInputStream(nar), true))
                .isInstanceOf(NixParseException.class).hasMessageContaining(message);
    }

    /** {@code size} zero bytes, produced without allocating them. */
    static final class ZeroStream extends InputStream {
        private long remaining;

        ZeroStream(long size) { this.remaining = size; }

        @Override public int read() {
            if (remaining == 0) return -1;
            remaining--;
            return 0;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (remaining == 0) return -1;
            int count = (int) Math.min(len, remaining);
            Arrays.fill(b, off, off + count, (byte) 0);
            remaining -= count;
            return count;
        }
    }
}
