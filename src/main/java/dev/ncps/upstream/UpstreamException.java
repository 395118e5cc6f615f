package dev.ncps.upstream;

import java.io.IOException;
import java.util.Optional;

/** A request to an upstream that did not give a usable response. {@link #kind()} tells how to answer. */
public final class UpstreamException extends IOException {

    /** What went wrong, mapped by the server to 404, 504 and 502 respectively. */
    public enum Kind { NOT_FOUND, TIMEOUT, FAILED }

    private final Kind kind;
    private final boolean forClients;

    UpstreamException(Kind kind, String message) {
        this(kind, message, null, false);
    }

    UpstreamException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, false);
    }

    private UpstreamException(Kind kind, String message, Throwable cause, boolean forClients) {
        super(message, cause);
        this.kind = kind;
        this.forClients = forClients;
    }

    /** A failure whose message was written for clients: it names the upstream, never a URL or credentials. */
    static UpstreamException forClients(Kind kind, String message) {
        return new UpstreamException(kind, message, null, true);
    }

    public Kind kind() {
        return kind;
    }

    /** The message, when it may be shown to clients as it is; other messages carry details for the log. */
    public Optional<String> clientReason() {
        return forClients ? Optional.of(getMessage()) : Optional.empty();
    }
}
