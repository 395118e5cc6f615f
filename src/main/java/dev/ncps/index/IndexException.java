package dev.ncps.index;

/** The database failed or refused an operation; the message says which and why. */
/** Not final: {@link GoDatabaseException} is the one case callers tell apart. */
public class IndexException extends Exception {
    public IndexException(String message, Throwable cause) { super(message, cause); }
}
