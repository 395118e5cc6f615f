package dev.ncps.cli;

/**
 * A command could not start for a reason the operator can fix: the message is one line naming the option,
 * its value and the fix ({@code --server-addr :8501: the port is already in use; ...}). {@link Cli} prints only
 * that line; the cause's stack trace only at {@code --log-level debug}.
 */
public final class StartupFailure extends Exception {
    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
