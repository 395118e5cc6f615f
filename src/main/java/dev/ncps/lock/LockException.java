package dev.ncps.lock;

import java.net.SocketTimeoutException;

/** The lock backend could not be reached or answered an error (not "held by someone else"). */
public final class LockException extends Exception {
    /** Why the operation failed; the {@code reason} label of {@code ncps_lock_failures_total}. */
    public enum Reason {
        TIMEOUT("timeout"),
        REDIS_ERROR("redis_error"),
        DATABASE_ERROR("database_error"),
        /** Redis is considered down and degraded mode is off: answer fast (503), do not wait. */
        CIRCUIT_BREAKER("circuit_breaker"),
        /** The waiting thread was interrupted (shutdown, client gone). */
        CONTEXT_CANCELED("context_canceled"),
        OTHER("error");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public LockException(String message, Throwable cause) {
        this(Reason.OTHER, message, cause);
    }

    public LockException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The backend did not answer within a socket timeout: a server that froze or dropped off the network. */
    static boolean causedByTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
