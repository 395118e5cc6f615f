package dev.ncps.cache;

import java.io.IOException;

/** A reader's view of a download that failed; the message is fit for the client (see Download#failureReason). */
public final class DownloadFailedException extends IOException {
    private final int status;

    DownloadFailedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** 504 when the upstream timed out, else 502. */
    public int status() {
        return status;
    }
}
