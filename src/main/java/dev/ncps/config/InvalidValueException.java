package dev.ncps.config;

/** A value that does not fit its type; the message is the "expected ..." part of the final error. */
public final class InvalidValueException extends Exception {
    public InvalidValueException(String expected) {
        super(expected);
    }
}
