package dev.ncps.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A command's standard output and error, kept in memory for a test to read back as text. */
public final class Console {
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    public PrintStream outStream() {
        return out;
    }

    public PrintStream errStream() {
        return err;
    }

    /** What was printed to standard output since the start or the last {@link #clear()}. */
    public String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    /** What was printed to standard error since the start or the last {@link #clear()}. */
    public String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    public void clear() {
        outBytes.reset();
        errBytes.reset();
    }
}
