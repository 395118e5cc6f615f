package dev.ncps.index;

/** The database failed or refused an operation; the message says which and why. */
public final class IndexException extends Exception {
    public IndexException(String message, Throwable cause) { super(message, cause); }
}
