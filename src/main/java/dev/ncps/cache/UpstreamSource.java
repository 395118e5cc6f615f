package dev.ncps.cache;

import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.net.URI;

/**
 * What the cache needs from the upstream caches. The upstream package implements it; keeping the port
 * here lets the cache core state its own contract: a narinfo comes back already verified against the
 * upstream's keys, and a transient failure is never reported as "not found".
 */
public interface UpstreamSource {

    Lookup lookupNarInfo(String hash);

    /**
     * Opens the body of a NAR at the upstream. Reads fail with an IOException when the upstream stalls
     * (idle timeout) or the connection breaks; closing the stream aborts the transfer.
     */
    InputStream openNar(URI narUri, long expectedSize) throws IOException;

    /**
     * The unsigned {@code <hash>.ls} listing of a path at an upstream, or empty when none has it or it is longer than
     * the implementation's bound (a few MiB), which keeps what a caller must parse in the heap small.
     */
    Optional<String> fetchListing(String hash);

    /**
     * The body of the build log of a derivation ({@code <hash>-<name>.drv}) at the first upstream that has one, or
     * empty when none has it. Unread: a log may be tens of MiB. A read that fails throws {@link FetchException};
     * closing the stream ends the transfer.
     */
    Optional<InputStream> openLog(String drvBaseName);

    /** The build trace entry of a derivation output, verified against the keys of the upstream that served it. */
    TraceLookup lookupBuildTrace(StorePath drvPath, String outputName);

    sealed interface Lookup {}

    sealed interface TraceLookup {}

    record TraceFound(BuildTrace trace, String upstreamHost) implements TraceLookup {}

    /**
     * A verified narinfo and the absolute URL of its NAR at the upstream that served it; {@code vouched} when
     * ncps may sign it (false: a content address that clients check themselves; served without our signature).
     */
    record Found(NarInfo narInfo, URI narUri, String upstreamHost, boolean vouched) implements Lookup {}

    /** Every usable upstream answered that it does not have the path (or served something unverifiable). */
    record NotFound() implements Lookup, TraceLookup {}

    /**
     * No upstream could answer definitively: timeouts, 5xx, connection failures. {@code timedOut} when
     * every failure was a timeout (answered 504 rather than 502).
     */
    record Unavailable(String reason, boolean timedOut) implements Lookup, TraceLookup {}

    /** The upstream answered 404 for a NAR its narinfo promised; the message is fit for clients, as below. */
    final class NarNotFoundException extends IOException {
        public NarNotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * An upstream could not deliver a NAR or a build log (refused target, 5xx, timeout, broken connection). Its message names
     * the upstream by host and says what failed in ncps's terms, never a URL, credentials or exception text,
     * so it may be shown to clients.
     */
    final class FetchException extends IOException {
        private final boolean timedOut;

        /** @param timedOut whether the upstream timed out (answered 504 rather than 502) */
        public FetchException(String message, boolean timedOut, Throwable cause) {
            super(message, cause);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }
}
