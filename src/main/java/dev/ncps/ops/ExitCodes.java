package dev.ncps.ops;

/** What scripts can test after an operations command. */
public final class ExitCodes {
    /** Done, nothing wrong found (or everything found was repaired). */
    public static final int OK = 0;
    /** Problems found and not (all) repaired, or the work is not all done; re-running is safe. */
    public static final int PROBLEMS = 1;
    /** Bad command line or configuration. */
    public static final int USAGE = 2;

    private ExitCodes() {}
}
