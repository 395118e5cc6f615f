package dev.ncps.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Immutable objects (NARs) under slash-separated keys such as {@code store/nar/0/0f/<N>.nar.xz}
 * (see {@link StoreKeys}). An object is visible only once complete and is never modified in place:
 * local storage writes a temp file in the same file system, fsyncs and renames; S3 uses one PUT or a
 * completed multipart upload. Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

    /** The object, or empty if it does not exist. An ambiguous failure (timeout, 5xx) is an IOException, never empty. */
    Optional<Blob> get(String key) throws IOException;

    /**
     * The object about to be read, empty if it does not exist. Where a lookup is itself a request (S3), the
     * lookup already asks for the bytes, so that a hit costs one request instead of a lookup and a read: the
     * blob then holds the response until {@link Blob#open} takes it over or {@link Blob#close} drops it, and
     * the caller must do one of the two.
     */
    default Optional<Blob> read(String key) throws IOException {
        return get(key);
    }

    /** Tri-state existence: an IOException means unknown, which callers must not read as "absent". */
    boolean exists(String key) throws IOException;

    /**
     * Publishes the complete file {@code source} under {@code key}, atomically. Returns false (and
     * keeps the existing object) if the key already exists. {@code source} is left in place, and the
     * caller must not write to it afterwards: local storage may link the object to the same bytes
     * instead of copying them (it may also make {@code source} read-only).
     */
    boolean put(String key, Path source) throws IOException;

    /** Publishes a stream of unknown length (multipart for S3, without buffering it whole in memory). */
    boolean put(String key, InputStream content) throws IOException;

    /**
     * Whether {@link #putWhileWritten} finishes sooner than a {@link #put(String, Path)} of the finished file: true
     * for S3, whose upload then runs alongside the download; false for a local folder, which links the finished
     * file at no cost.
     */
    default boolean overlapsUploads() {
        return false;
    }

    /**
     * Publishes {@code file} while it is still being written, as {@code growing} says how far it is, and completes
     * the object only when {@code growing} says the file is complete. Returns false (and keeps the existing object)
     * if the key already exists; an exception from {@code growing} (the download failed) discards what was sent.
     * Without {@link #overlapsUploads()}, it waits for the complete file and publishes it.
     */
    default boolean putWhileWritten(String key, Path file, Growing growing) throws IOException {
        growing.await(Long.MAX_VALUE);
        return put(key, file);
    }

    /** How far a file being written is, for {@link #putWhileWritten}. */
    @FunctionalInterface
    interface Growing {
        /**
         * Blocks until the file holds at least {@code bytes} bytes and returns {@code bytes}, or until it is complete
         * and returns its final length when that is less. Throws when the file will never be complete.
         */
        long await(long bytes) throws IOException;
    }

    /**
     * When the object was published, empty if it does not exist. Maintenance uses it to leave alone
     * objects so new that the index row written right after them may still be on its way.
     */
    Optional<Instant> lastModified(String key) throws IOException;

    /** Removes the object; false if it did not exist. */
    boolean delete(String key) throws IOException;

    /** Visits every object whose key starts with {@code prefix}. */
    void walk(String prefix, Consumer<ObjectInfo> visitor) throws IOException;

    @Override
    void close() throws IOException;

    /** A stored object. */
    interface Blob extends AutoCloseable {
        long size();

        /** Reads from {@code offset} to the end. */
        InputStream open(long offset) throws IOException;

        /** The file holding the bytes, when the store is a local folder (hits are served from it mapped). */
        Optional<Path> localFile();

        /** Drops a response that {@link Store#read} holds and {@link #open} did not take over; otherwise nothing. */
        @Override
        default void close() {
        }
    }

    record ObjectInfo(String key, long size) {}
}
