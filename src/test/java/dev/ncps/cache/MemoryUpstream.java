package dev.ncps.cache;

import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;
import dev.ncps.nix.Streams;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream cache in memory for the cache core's tests: narinfos and NAR bodies by URL, each body
 * served as scripted (held before its end until released, broken after N bytes, or other bytes than
 * the narinfo promises), counting how often each is asked for.
 */
final class MemoryUpstream implements UpstreamSource {
    static final String HOST = "upstream.test";

    private final Map<String, NarInfo> narInfos = new ConcurrentHashMap<>();
    private final Map<URI, Body> bodies = new ConcurrentHashMap<>();
    private final Set<URI> timingOut = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger opens = new AtomicInteger();
    private volatile CountDownLatch lookupGate = new CountDownLatch(0);

    /** How a NAR body is served. {@code failAfter} &lt; 0: never fails. */
    record Body(byte[] bytes, CountDownLatch endGate, long failAfter) {
        static Body of(byte[] bytes) {
            return new Body(bytes, new CountDownLatch(0), -1);
        }

        /** Every byte is sent at once but the end of the body waits for {@code gate}. */
        Body heldBeforeEnd(CountDownLatch gate) {
            return new Body(bytes, gate, failAfter);
        }

        Body failingAfter(long n) {
            return new Body(bytes, endGate, n);
        }
    }

    static URI narUri(String name) {
        return URI.create("http://" + HOST + "/nar/" + name + ".nar");
    }

    void publish(TestNar nar) {
        narInfos.put(nar.hash(), nar.upstreamNarInfo());
        bodies.put(nar.upstreamUri(), Body.of(nar.bytes()));
    }

    void unpublish(TestNar nar) {
        narInfos.remove(nar.hash());
        bodies.remove(nar.upstreamUri());
    }

    void serve(URI uri, Body body) {
        bodies.put(uri, body);
    }

    /** Opening {@code uri} fails as a timeout of this upstream would. */
    void timeOut(URI uri) {
        timingOut.add(uri);
    }

    /** Narinfo lookups wait for this gate until it is released. */
    void holdLookups(CountDownLatch gate) {
        lookupGate = gate;
    }

    int lookups() {
        return lookups.get();
    }

    int opens() {
        return opens.get();
    }

    @Override
    public Optional<String> fetchListing(String hash) {
        return Optional.empty();
    }

    @Override
    public TraceLookup lookupBuildTrace(StorePath drvPath, String outputName) {
        return new NotFound();
    }

    @Override
    public Lookup lookupNarInfo(String hash) {
        lookups.incrementAndGet();
        try {
            lookupGate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Unavailable("interrupted", false);
        }
        NarInfo narInfo = narInfos.get(hash);
        return narInfo == null ? new NotFound() : new Found(narInfo, URI.create("http://" + HOST + "/" + narInfo.url()), HOST, true);
    }

    @Override
    public Optional<InputStream> openLog(String drvBaseName) {
        return Optional.empty();
    }

    @Override
    public InputStream openNar(URI narUri, long expectedSize) throws IOException {
        opens.incrementAndGet();
        if (timingOut.contains(narUri)) {
            throw new FetchException("upstream " + HOST + " timed out", true, null);
        }
        Body body = bodies.get(narUri);
        if (body == null) {
            throw new NarNotFoundException("upstream " + HOST + " does not have this NAR", null);
        }
        return stream(body);
    }

    /** A body as this upstream would send it (also what a peer relays, in coordinator tests). */
    static InputStream stream(Body body) {
        return new ScriptedStream(body);
    }

    private static final class ScriptedStream extends InputStream {
        private static final int CHUNK = 16 * 1024;
        private final Body body;
        private int position;

        ScriptedStream(Body body) {
            this.body = body;
        }

        @Override
        public int read() throws IOException {
            return Streams.readByte(this);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (body.failAfter() >= 0 && position >= body.failAfter()) {
                throw new IOException("connection reset after " + position + " bytes");
            }
            if (position == body.bytes().length) {
                try {
                    body.endGate().await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                return -1;
            }
            long limit = body.failAfter() >= 0 ? Math.min(body.failAfter(), body.bytes().length) : body.bytes().length;
            int n = (int) Math.min(Math.min(length, CHUNK), limit - position);
            System.arraycopy(body.bytes(), position, buffer, offset, n);
            position += n;
            return n;
        }
    }
}
