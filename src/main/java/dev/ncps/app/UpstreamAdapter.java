package dev.ncps.app;

import dev.ncps.cache.UpstreamSource;
import dev.ncps.nix.StorePath;
import dev.ncps.upstream.Lookup;
import dev.ncps.upstream.NarResponse;
import dev.ncps.upstream.Upstream;
import dev.ncps.upstream.UpstreamException;
import dev.ncps.upstream.Upstreams;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.net.URI;

/** Presents the upstream client as the cache's {@link UpstreamSource} port. */
final class UpstreamAdapter implements UpstreamSource {
    private final Upstreams upstreams;

    UpstreamAdapter(Upstreams upstreams) {
        this.upstreams = upstreams;
    }

    @Override
    public Lookup lookupNarInfo(String hash) {
        dev.ncps.upstream.Lookup lookup;
        try {
            lookup = upstreams.lookupNarInfo(hash);
        } catch (UpstreamException e) {
            // Only an interrupt (shutdown) gets here.
            return new Unavailable("interrupted", false);
        }
        return switch (lookup) {
            case dev.ncps.upstream.Lookup.Found found ->
                    new Found(found.narInfo(), found.narUri(), found.upstream().hostname(), found.vouched());
            case dev.ncps.upstream.Lookup.NotFound ignored -> new NotFound();
            case dev.ncps.upstream.Lookup.Unavailable unavailable -> new Unavailable(unavailable.reason(),
                    unavailable.timedOut());
        };
    }

    @Override
    public TraceLookup lookupBuildTrace(StorePath drvPath, String outputName) {
        try {
            return upstreams.lookupBuildTrace(drvPath, outputName)
                    .<TraceLookup>map(found -> new TraceFound(found.trace(), found.upstream().hostname()))
                    .orElseGet(NotFound::new);
        } catch (UpstreamException e) {
            return new Unavailable(e.getMessage(), e.kind() == UpstreamException.Kind.TIMEOUT);
        }
    }

    @Override
    public Optional<String> fetchListing(String hash) {
        try {
            return upstreams.fetchListing(hash);
        } catch (UpstreamException e) {
            // Only an interrupt (shutdown) gets here.
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> fetchLog(String drvBaseName) {
        try {
            return upstreams.fetchLog(drvBaseName);
        } catch (UpstreamException e) {
            // Only an interrupt (shutdown) gets here.
            return Optional.empty();
        }
    }

    @Override
    public InputStream openNar(URI narUri, long expectedSize) throws IOException {
        NarResponse response;
        Upstream upstream = upstreamOf(narUri);
        try {
            response = upstreams.openNar(upstream, narUri, expectedSize);
        } catch (UpstreamException e) {
            // Both port exceptions are worded for clients; the detail (URL, status) stays in the cause and the log.
            String reason = e.clientReason().orElse("upstream " + upstream.hostname() + switch (e.kind()) {
                case NOT_FOUND -> " does not have this NAR";
                case TIMEOUT -> " timed out";
                case FAILED -> " failed";
            });
            if (e.kind() == UpstreamException.Kind.NOT_FOUND) {
                throw new NarNotFoundException(reason, e);
            }
            throw new NarFetchException(reason, e);
        }
        return new FilterInputStream(response.body()) {
            @Override
            public void close() {
                response.close();
            }
        };
    }

    /**
     * The configured upstream a NAR URL belongs to (its breaker and credentials apply): the one whose
     * base URL prefixes it, else the one on the same host, else the first (the URL was recorded under
     * an earlier configuration).
     */
    private Upstream upstreamOf(URI narUri) {
        Upstream sameHost = null;
        for (Upstream upstream : upstreams.upstreams()) {
            if (narUri.toString().startsWith(upstream.url().toString())) {
                return upstream;
            }
            if (sameHost == null && upstream.url().getHost().equalsIgnoreCase(narUri.getHost())) {
                sameHost = upstream;
            }
        }
        return sameHost != null ? sameHost : upstreams.upstreams().getFirst();
    }
}
