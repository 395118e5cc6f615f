package dev.ncps.cache;

import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A download's upload to the store, running while the download does: the store receives the bytes as they land in
 * the temp file and can complete the object only after the content is verified ({@link Download#openUploadTail}).
 * Uploading the finished file instead held the last byte of a cold miss on S3 back for the whole upload: 47 MiB/s
 * against the upstream's 62 (docs/benchmarks.md). A download that fails ends the upload's stream with an error, and
 * the store discards what it received.
 */
final class OverlappedUpload {
    private static final Logger log = LoggerFactory.getLogger(OverlappedUpload.class);

    private final String key;
    private final Future<Boolean> result;

    private OverlappedUpload(String key, Future<Boolean> result) {
        this.key = key;
        this.result = result;
    }

    static OverlappedUpload start(Store store, String key, Download download, ExecutorService executor) throws IOException {
        Download.Reader bytes = download.openUploadTail();
        return new OverlappedUpload(key, executor.submit(() -> {
            try (bytes) {
                return store.put(key, bytes);
            }
        }));
    }

    /**
     * Waits for the upload, which can end once the download is {@link Download#verified()}; false when it failed,
     * so that the caller publishes the finished file instead.
     */
    boolean finished() throws IOException {
        try {
            result.get();
            return true;
        } catch (ExecutionException e) {
            log.warn("{}: the upload alongside the download failed ({}); uploading the finished file", key,
                    e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the upload of " + key, e);
        }
    }
}
