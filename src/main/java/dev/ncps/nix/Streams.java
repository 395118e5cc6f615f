package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** What every stream of ncps that counts, bounds or checks its bytes needs the same way. */
public final class Streams {
    private Streams() {}

    /**
     * {@link InputStream#read()} for a stream whose bulk {@code read(byte[], int, int)} does the counting and
     * checking, so a caller reading byte by byte goes through the same checks instead of around them.
     */
    public static int readByte(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n = in.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * Copies {@code in} to {@code out} and returns the number of bytes, or -1 as soon as {@code in} has more than
     * {@code limit}: the rest is left unread, and what was written is the caller's to discard. For bodies from
     * clients, which are bounded before any of them is kept.
     */
    public static long copyAtMost(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
            if (total > limit) {
                return -1;
            }
            out.write(buffer, 0, n);
        }
        return total;
    }
}
