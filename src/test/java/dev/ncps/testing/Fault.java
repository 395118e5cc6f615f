package dev.ncps.testing;

import java.time.Duration;

/**
 * A misbehaviour {@link UpstreamServer} can show for matching paths. Several faults may apply to one request:
 * {@link Status}, {@link Redirect} and {@link ReplaceBody} decide what is sent, {@link StallBeforeHeaders} when, and the body
 * faults ({@link Corrupt}, {@link Truncate}, {@link StallMidBody}, {@link Throttle}) how it is sent.
 */
public sealed interface Fault {

    /** Answers with this status and a short text body instead of the file. */
    record Status(int code) implements Fault {
        public Status {
            if (code < 100 || code > 599) {
                throw new IllegalArgumentException("HTTP status must be 100..599, got " + code);
            }
        }
    }

    /** Answers with this redirect status (301, 302, 303, 307, 308) and {@code Location: location}. */
    record Redirect(int code, String location) implements Fault {
        public Redirect {
            if (code < 300 || code > 399) {
                throw new IllegalArgumentException("a redirect status is 3xx, got " + code);
            }
        }
    }

    /** Serves this text instead of the file's content, e.g. a narinfo with a bad signature. */
    record ReplaceBody(String text) implements Fault {}

    /** Waits this long before sending anything, not even the status line. */
    record StallBeforeHeaders(Duration duration) implements Fault {}

    /** Sends the headers and {@code afterBytes} of the body, then waits this long before the rest. */
    record StallMidBody(long afterBytes, Duration duration) implements Fault {
        public StallMidBody {
            requireNonNegative(afterBytes);
        }
    }

    /** Announces the full Content-Length but closes the connection after {@code afterBytes} bytes. */
    record Truncate(long afterBytes) implements Fault {
        public Truncate {
            requireNonNegative(afterBytes);
        }
    }

    /** Flips every bit of the byte in the middle of the body; the length stays right, the hash does not. */
    record Corrupt() implements Fault {}

    /** Sends the body at no more than this many bytes per second. */
    record Throttle(long bytesPerSecond) implements Fault {
        public Throttle {
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("bytesPerSecond must be positive, got " + bytesPerSecond);
            }
        }
    }

    static Fault status(int code) {
        return new Status(code);
    }

    static Fault redirect(String location) {
        return new Redirect(302, location);
    }

    static Fault replaceBody(String text) {
        return new ReplaceBody(text);
    }

    static Fault stallBeforeHeaders(Duration duration) {
        return new StallBeforeHeaders(duration);
    }

    static Fault stallMidBody(long afterBytes, Duration duration) {
        return new StallMidBody(afterBytes, duration);
    }

    static Fault truncate(long afterBytes) {
        return new Truncate(afterBytes);
    }

    static Fault corrupt() {
        return new Corrupt();
    }

    static Fault throttle(long bytesPerSecond) {
        return new Throttle(bytesPerSecond);
    }

    private static void requireNonNegative(long afterBytes) {
        if (afterBytes < 0) {
            throw new IllegalArgumentException("afterBytes must not be negative, got " + afterBytes);
        }
    }
}
