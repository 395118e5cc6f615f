package dev.ncps.upstream;

import dev.ncps.nix.NarInfo;
import java.net.URI;
import java.util.Objects;

/** The result of asking the upstreams for a narinfo. */
public sealed interface Lookup {

    /**
     * A narinfo that parsed, is for the asked store path and is authentic (a valid signature by one of the
     * upstream's keys, a content address, or an upstream trusted without signatures). For
     * {@code Compression: none} a missing FileHash/FileSize has been filled in from NarHash/NarSize, as Nix does.
     *
     * @param narUri  the absolute URL of the NAR at that upstream, query string kept (pass it to
     *                {@link Upstreams#openNar})
     * @param vouched whether ncps may sign it: false for a content-addressed narinfo whose address pins only
     *                the file inside the NAR, which clients check themselves (see {@link NarInfoCheck})
     */
    record Found(Upstream upstream, NarInfo narInfo, URI narUri, boolean vouched) implements Lookup {
        public Found {
            Objects.requireNonNull(upstream);
            Objects.requireNonNull(narInfo);
            Objects.requireNonNull(narUri);
        }
    }

    /** Every usable upstream definitively has no (acceptable) narinfo for the hash: serve a 404. */
    record NotFound() implements Lookup {}

    /**
     * No answer could be trusted to be definitive: some upstream failed (5xx, timeout, connection error) or
     * no upstream is usable right now. Serve 502, or 504 when {@code timedOut}: never a 404, which Nix
     * would remember. {@code reason} names upstreams by host only and may be shown to clients; the details
     * are logged.
     */
    record Unavailable(String reason, boolean timedOut) implements Lookup {}
}
