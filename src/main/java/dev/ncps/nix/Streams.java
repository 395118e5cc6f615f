package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;

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
}
