package dev.ncps.nix;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * What a NAR file must be to be kept: its archive must have the NarHash and NarSize of the narinfo
 * (the fields its signature covers), and the file itself the FileHash and FileSize when the narinfo
 * gives them (unsigned hints, checked because they are cheap).
 *
 * <p>The work is bounded by the signed NarSize whatever the bytes are: decoding stops the moment the
 * archive grows past NarSize (a decompression bomb costs at most NarSize of output), and reading stops
 * the moment the file grows past {@link #maxFileSize()} (an upstream that sends too much, or pads a
 * valid stream with gigabytes that the codec skips, costs at most that much input).
 *
 * @param fileHash null when the narinfo has none
 * @param fileSize -1 when the narinfo has none
 */
public record NarCheck(Compression compression, Hash fileHash, long fileSize, Hash narHash, long narSize) {
    /**
     * Headroom of a compressed file over its archive. Incompressible content grows a little when compressed:
     * by a few bytes per block for xz, zstd, gzip, lz4 and brotli, by about 1 % plus 600 bytes for bzip2
     * (its documented worst case). 1/16 (6.25 %) plus 64 KiB covers all of them with a wide margin, and
     * still refuses an upstream that sends 400 MiB for a 64 KiB path after 132 KiB.
     */
    static final int HEADROOM_DIVISOR = 16;
    static final long HEADROOM_BYTES = 64 * 1024;

    public static NarCheck of(NarInfo narInfo) {
        return new NarCheck(narInfo.compression(), narInfo.fileHash(), narInfo.fileSize(), narInfo.narHash(), narInfo.narSize());
    }

    /**
     * The most file bytes worth reading: FileSize when given, and never more than what NarSize allows
     * (exactly NarSize without compression, else NarSize plus the headroom).
     */
    public long maxFileSize() {
        long allowed = compression == Compression.NONE ? narSize
                : saturatedAdd(narSize, narSize / HEADROOM_DIVISOR + HEADROOM_BYTES);
        return fileSize >= 0 ? Math.min(fileSize, allowed) : allowed;
    }

    /**
     * Reads the file to its end and checks it; closes {@code file}.
     *
     * @throws NixParseException when the bytes are not what the narinfo describes (the message says how)
     * @throws IOException       when reading {@code file} fails
     */
    public void verify(InputStream file) throws IOException {
        // Without compression FileHash is normally NarHash: the archive digest already covers it.
        boolean hashFile = fileHash != null && !(compression == Compression.NONE && fileHash.equals(narHash));
        FileInput input = new FileInput(file, hashFile ? fileHash.algorithm().newDigest() : null);
        NarReader.Summary summary;
        try (InputStream nar = new ArchiveOutput(compression.decompress(input))) {
            summary = NarReader.read(nar, false);
            input.transferTo(java.io.OutputStream.nullOutputStream());
        }
        if (fileSize >= 0 && input.count != fileSize) {
            throw new NixParseException("the file has " + input.count + " bytes, its FileSize says " + fileSize);
        }
        if (hashFile && !Hash.of(fileHash.algorithm(), input.digest.digest()).equals(fileHash)) {
            throw new NixParseException("the file does not match its FileHash " + fileHash.toNix32String());
        }
        if (summary.narSize() != narSize || !summary.narHash().equals(narHash)) {
            throw new NixParseException("the archive does not match the signed NarHash/NarSize: narinfo says "
                    + narHash.toNix32String() + " (" + narSize + " bytes), the archive is "
                    + summary.narHash().toNix32String() + " (" + summary.narSize() + " bytes)");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    /** The file's bytes, counted and hashed; refused beyond {@link #maxFileSize()}. */
    private final class FileInput extends FilterInputStream {
        private final MessageDigest digest;
        private final long limit = maxFileSize();
        private long count;

        FileInput(InputStream in, MessageDigest digest) {
            super(in);
            this.digest = digest;
        }

        @Override public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, (int) Math.min(length, limit - count + 1));
            if (n > 0) {
                count += n;
                if (count > limit) {
                    throw new NixParseException(fileSize >= 0 && limit == fileSize
                            ? "the file is larger than its FileSize of " + fileSize + " bytes"
                            : "the file is larger than " + limit + " bytes, the most a NarSize of " + narSize + " allows");
                }
                if (digest != null) digest.update(buffer, offset, n);
            }
            return n;
        }

        @Override public long skip(long n) throws IOException {
            return Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
        }
    }

    /** The decoded archive; refused one byte beyond NarSize, so a bomb never expands further. */
    private final class ArchiveOutput extends FilterInputStream {
        private long count;

        ArchiveOutput(InputStream decoded) {
            super(decoded);
        }

        @Override public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, (int) Math.min(length, narSize - count + 1));
            if (n > 0) {
                count += n;
                if (count > narSize) {
                    throw new NixParseException("the archive is larger than its signed NarSize of " + narSize + " bytes");
                }
            }
            return n;
        }

        @Override public long skip(long n) throws IOException {
            return Math.max(0, read(new byte[(int) Math.min(n, 8192)]));
        }
    }
}
