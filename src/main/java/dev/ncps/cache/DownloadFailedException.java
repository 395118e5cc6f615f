package dev.ncps.cache;

import java.io.IOException;

/** A reader's view of a download that failed; the message is fit for the client (see Download#failureReason). */
public final class DownloadFailedException extends IOException {
    DownloadFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
