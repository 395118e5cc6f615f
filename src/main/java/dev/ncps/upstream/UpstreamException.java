package dev.ncps.upstream;

import java.io.IOException;

/** A request to an upstream that did not give a usable response. {@link #kind()} tells how to answer. */
public final class UpstreamException extends IOException {

    /** What went wrong, mapped by the server to 404, 504 and 502 respectively. */
    public enum Kind { NOT_FOUND, TIMEOUT, FAILED }

    private final Kind kind;

    UpstreamException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
