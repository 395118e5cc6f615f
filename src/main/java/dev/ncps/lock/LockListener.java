package dev.ncps.lock;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the locks report, for metrics and tracing (the metrics package maps these to the Go ncps's
 * {@code ncps_lock_*} series). Called on the locking thread: implementations must be fast and must not throw.
 * {@code mode} is {@code local} or {@code distributed}, as the Go ncps labels it.
 */
public interface LockListener {

    LockListener NONE = new LockListener() {};

    /** What a lock guards, from its key: see {@link #typeOf}. */
    List<String> TYPES = List.of("download", "narinfo", "lru", "other");

    List<String> MODES = List.of("local", "distributed");

    /** The reason of a blocking acquisition that gave up because the lock stayed held. */
    String MAX_RETRIES = "max_retries";

    /** Every reason {@link #onFailure} reports: the {@link LockException.Reason} labels and {@link #MAX_RETRIES}. */
    List<String> FAILURE_REASONS = Stream.concat(
            Arrays.stream(LockException.Reason.values()).map(LockException.Reason::label), Stream.of(MAX_RETRIES)).toList();

    /** How one acquisition attempt ended. */
    enum Outcome {
        SUCCESS, FAILURE, CONTENTION;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What a lock guards, named after its key's prefix (the keys are in cluster.ClusterCoordinator and app):
     * {@code download} (a NAR download), {@code narinfo} (a narinfo fetch), {@code lru} (the LRU run) or
     * {@code other}.
     */
    static String typeOf(String key) {
        if (key.startsWith("download:narinfo:")) {
            return "narinfo";
        }
        if (key.startsWith("download:")) {
            return "download";
        }
        return key.equals("lru") ? "lru" : "other";
    }

    /** One attempt to take {@code key}. */
    default void onAcquire(String key, String mode, Outcome outcome) {}

    /** An operation on {@code key} failed; {@code reason} is one of {@link #FAILURE_REASONS}. */
    default void onFailure(String key, String mode, String reason) {}

    /** An acquisition of {@code key} waits to try again after contention. */
    default void onRetry(String key) {}

    /** {@code key} was released after being held for {@code held}. */
    default void onRelease(String key, String mode, Duration held) {}

    /** A call to the Redis backend failed to reach it after one that reached it ({@code false}), or the reverse. */
    default void onRedisReachability(boolean reached) {}
}
