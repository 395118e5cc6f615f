package dev.ncps.lock;

/** The lock backend could not be reached or answered an error (not "held by someone else"). */
public final class LockException extends Exception {
    public LockException(String message, Throwable cause) {
        super(message, cause);
    }
}
