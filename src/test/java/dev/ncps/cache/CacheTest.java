package dev.ncps.cache;

import dev.ncps.cache.Cache.ListingRelayed;
import dev.ncps.cache.Cache.ListingResult;
import dev.ncps.cache.Cache.ListingStored;
import dev.ncps.cache.Cache.Mode;
import dev.ncps.cache.Cache.NarInfoFound;
import dev.ncps.cache.Cache.NarResult;
import dev.ncps.cache.Cache.NarStored;
import dev.ncps.cache.Cache.NarStreaming;
import dev.ncps.cache.Cache.Unavailable;
import dev.ncps.cache.DownloadCoordinator.Follower;
import dev.ncps.cache.DownloadCoordinator.Refused;
import dev.ncps.cache.MemoryUpstream.Body;
import dev.ncps.index.Index;
import dev.ncps.index.TestIndexConfigs;
import dev.ncps.lru.Lru;
import dev.ncps.lru.LruListener;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import dev.ncps.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cache core through its ports, in milliseconds: an upstream in memory, a scripted cluster
 * coordinator, the real local store and a SQLite index in a temp folder. The end-to-end tests cover
 * the same behaviour over sockets with the real nix client; these say exactly which rule broke.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CacheTest {
    private static final int CONTENT_SIZE = 300_000;

    @TempDir
    Path dir;
    private final MemoryUpstream upstream = new MemoryUpstream();
    private final ScriptedCoordinator coordinator = new ScriptedCoordinator();
    private final TestNar nar = TestNar.of("hello-2.12", CONTENT_SIZE);
    private WatchedStore store;
    private Index index;
    private ExecutorService executor;
    private Cache cache;

    @BeforeEach
    void open() throws Exception {
        store = new WatchedStore(new LocalStore(dir.resolve("storage")));
        index = Index.open(TestIndexConfigs.sqlite(dir.resolve("index.db")));
        executor = Executors.newVirtualThreadPerTaskExecutor();
        Path temp = Files.createDirectories(dir.resolve("downloads"));
        cache = new Cache(upstream, store, index, new Signer(SecretKey.generate("cache-test-1"), true),
                new CacheSettings(temp, 1 << 20, Duration.ofMinutes(1), Duration.ofMinutes(5), 32 * 1024), Clock.systemUTC(),
                executor, CacheListener.NONE, coordinator);
        upstream.publish(nar);
    }

    @AfterEach
    void close() throws Exception {
        executor.shutdownNow();
        index.close();
        store.close();
    }

    // ---------------------------------------------------------------- narinfo

    @Test
    void aNarInfoIsServedSignedAndNamingTheNarByTheHashOfItsFile() throws Exception {
        NarInfo served = NarInfo.parse(text(cache.narInfo(nar.hash(), false)));

        assertThat(served.url()).isEqualTo("nar/" + nar.key().narHash() + ".nar");
        assertThat(served.signatures()).singleElement().asString().startsWith("cache-test-1:");
        assertThat(index.narInfo(nar.hash())).get().extracting(Index.NarInfoEntry::upstreamUrl)
                .isEqualTo(nar.upstreamUri().toString());
    }

    @Test
    void concurrentNarInfoMissesShareOneUpstreamLookup() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream.holdLookups(release);
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(Thread.ofPlatform().start(() -> answers.add(text(cache.narInfo(nar.hash(), false)))));
        }
        for (Thread client : clients) {
            awaitParked(client);
        }
        assertThat(upstream.lookups()).isEqualTo(1);

        release.countDown();
        for (Thread client : clients) {
            client.join();
        }
        assertThat(answers).hasSize(8).containsOnly(answers.getFirst());
        assertThat(upstream.lookups()).isEqualTo(1);
    }

    @Test
    void aRefusedNarInfoLookupIsUnavailableNotNotFound() {
        coordinator.refusingNarInfo("lock backend down");

        assertThat(cache.narInfo(nar.hash(), false)).isInstanceOfSatisfying(Unavailable.class,
                unavailable -> assertThat(unavailable.status()).isEqualTo(503));
        assertThat(upstream.lookups()).isZero();
    }

    // ---------------------------------------------------------------- listings

    @Test
    void concurrentRequestsForAListingNotYetMadeMakeItOnce() throws Exception {
        cache.narInfo(nar.hash(), false);
        read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE));
        awaitNoDownloads();
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<byte[]>> listings = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            listings.add(executor.submit(() -> {
                start.await();
                return read(cache.listing(nar.hash()));
            }));
        }
        start.countDown();

        byte[] first = listings.getFirst().get();
        assertThat(new String(first, StandardCharsets.UTF_8)).contains("\"type\":\"regular\"");
        for (Future<byte[]> listing : listings) {
            assertThat(listing.get()).isEqualTo(first);
        }
        assertThat(store.puts(Listings.key(nar.hash()))).as("listings made and stored").isOne();
    }

    // ---------------------------------------------------------------- NAR downloads

    @Test
    void theLastByteIsHeldBackUntilTheDownloadIsVerified() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        upstream.serve(nar.upstreamUri(), Body.of(nar.bytes()).heldBeforeEnd(end));
        cache.narInfo(nar.hash(), false);
        InputStream body = ((NarStreaming) cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).body();

        byte[] allButLast = body.readNBytes(nar.bytes().length - 1);
        AtomicInteger last = new AtomicInteger(Integer.MIN_VALUE);
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                last.set(body.read());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        awaitParked(reader);
        assertThat(last).as("the last byte waits for the upstream's end and the check").hasValue(Integer.MIN_VALUE);
        assertThat(stored()).isFalse();

        end.countDown();
        reader.join();
        byte[] whole = Arrays.copyOf(allButLast, allButLast.length + 1);
        whole[allButLast.length] = (byte) last.get();
        assertThat(whole).isEqualTo(nar.bytes());
        assertThat(body.read()).isEqualTo(-1);
        assertThat(stored()).isTrue();
    }

    @Test
    void wrongBytesFailEveryReaderAndStoreNothing() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        upstream.serve(nar.upstreamUri(), Body.of(nar.corrupted()).heldBeforeEnd(end));
        cache.narInfo(nar.hash(), false);
        List<Future<byte[]>> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            InputStream body = ((NarStreaming) cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).body();
            readers.add(executor.submit(body::readAllBytes));
        }

        end.countDown();
        for (Future<byte[]> reader : readers) {
            assertThatThrownBy(reader::get).hasCauseInstanceOf(IOException.class);
        }
        assertThat(upstream.opens()).isEqualTo(1);
        assertThat(stored()).isFalse();
        assertThat(index.narFile(nar.key().narHash(), nar.key().compression())).isEmpty();
    }

    @Test
    void concurrentClientsOfOneNarCauseOneUpstreamTransfer() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        upstream.serve(nar.upstreamUri(), Body.of(nar.bytes()).heldBeforeEnd(end));
        cache.narInfo(nar.hash(), false);
        int clients = 8;
        CountDownLatch joined = new CountDownLatch(clients);
        List<Future<byte[]>> readers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            readers.add(executor.submit(() -> {
                NarResult result = cache.nar(nar.key(), 0, Mode.SUBSTITUTE);
                joined.countDown();
                return ((NarStreaming) result).body().readAllBytes();
            }));
        }
        assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();

        end.countDown();
        for (Future<byte[]> reader : readers) {
            assertThat(reader.get()).isEqualTo(nar.bytes());
        }
        assertThat(upstream.opens()).isEqualTo(1);
        assertThat(cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).isInstanceOf(NarStored.class);
    }

    @Test
    void anUpstreamThatBreaksMidwayFailsTheReadersAndTheNextRequestFetchesAgain() throws Exception {
        upstream.serve(nar.upstreamUri(), Body.of(nar.bytes()).failingAfter(CONTENT_SIZE / 3));
        cache.narInfo(nar.hash(), false);

        assertThat(fails(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isTrue();
        awaitNoDownloads();
        assertThat(stored()).isFalse();

        upstream.serve(nar.upstreamUri(), Body.of(nar.bytes()));
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(upstream.opens()).isEqualTo(2);
        assertThat(stored()).isTrue();
    }

    @Test
    void aNarWhoseUpstreamTimesOutIsAGatewayTimeoutNotABadGateway() throws Exception {
        upstream.timeOut(nar.upstreamUri());
        cache.narInfo(nar.hash(), false);

        NarResult result = cache.nar(nar.key(), 0, Mode.SUBSTITUTE);
        if (result instanceof Unavailable unavailable) {
            assertThat(unavailable.status()).isEqualTo(504);
        } else {
            assertThatThrownBy(() -> read(result)).isInstanceOfSatisfying(DownloadFailedException.class,
                    failed -> assertThat(failed.status()).isEqualTo(504));
        }
        assertThat(stored()).isFalse();
    }

    @Test
    void anIndexRowWhoseObjectIsGoneIsFetchedAgain() throws Exception {
        cache.narInfo(nar.hash(), false);
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        awaitNoDownloads();
        assertThat(store.delete(nar.key().storeKey())).isTrue();

        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(upstream.opens()).isEqualTo(2);
        assertThat(stored()).isTrue();
    }

    // ---------------------------------------------------------------- LRU eviction under a client's feet

    @Test
    void aNarEvictedAfterItsNarInfoWasServedIsFetchedAgainAndTheMemoForgetsIt() throws Exception {
        cache.narInfo(nar.hash(), false);
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        awaitNoDownloads();

        assertThat(lru(cache).run()).isEqualTo(1);
        assertThat(cache.memoizedNarInfo(nar.hash())).as("evicted narinfos leave memory").isNull();

        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(upstream.lookups()).isEqualTo(2);
        assertThat(upstream.opens()).isEqualTo(2);
        awaitNoDownloads();
        assertThat(stored()).isTrue();
        assertThat(index.narInfo(nar.hash())).isPresent();
    }

    @Test
    void aNarInfoServedBeforeLruRanStillLeadsToItsNar() throws Exception {
        TestNar stored = TestNar.of("stored-1.0", 1000);
        upstream.publish(stored);
        cache.narInfo(nar.hash(), false);
        cache.narInfo(stored.hash(), false);
        read(cache.nar(stored.key(), 0, Mode.SUBSTITUTE));
        awaitNoDownloads();

        assertThat(lru(cache).run()).as("the NAR stored goes, and every narinfo row").isEqualTo(1);
        assertThat(index.narInfo(nar.hash())).isEmpty();

        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(cache.narHead(nar.key(), Mode.SUBSTITUTE)).isNotInstanceOf(Cache.NotFound.class);
    }

    @Test
    void anotherInstanceWhoseMemoStillHoldsAnEvictedNarInfoServesItsNar() throws Exception {
        Cache other = sibling(2);
        cache.narInfo(nar.hash(), false);
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        awaitNoDownloads();
        assertThat(other.narInfo(nar.hash(), false)).isInstanceOf(NarInfoFound.class);

        assertThat(lru(cache).run()).isEqualTo(1);
        assertThat(other.memoizedNarInfo(nar.hash())).as("only the instance that ran LRU forgets at once").isNotNull();

        assertThat(read(other.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(index.narInfo(nar.hash())).isPresent();
    }

    @Test
    void anInstanceThatNeverServedTheNarInfoFetchesANarAnotherEvictedAgain() throws Exception {
        Cache other = sibling(2);
        cache.narInfo(nar.hash(), false);
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        awaitNoDownloads();

        assertThat(lru(cache).run()).isEqualTo(1);
        assertThat(index.evictedNarInfo(nar.key())).contains(nar.hash());

        assertThat(read(other.nar(nar.key(), 0, Mode.SUBSTITUTE))).as("404 before LRU recorded what it evicted").isEqualTo(nar.bytes());
        assertThat(upstream.lookups()).isEqualTo(2);
        awaitNoDownloads();
        assertThat(stored()).isTrue();
        assertThat(sibling(3).narHead(nar.key(), Mode.SUBSTITUTE)).isInstanceOf(NarStored.class);
    }

    @Test
    void anInstanceThatNeverServedTheNarInfoFetchesANarWhoseNarInfoWasEvictedBeforeTheNarWasAskedFor() throws Exception {
        TestNar stored = TestNar.of("stored-1.0", 1000);
        upstream.publish(stored);
        cache.narInfo(nar.hash(), false);
        cache.narInfo(stored.hash(), false);
        read(cache.nar(stored.key(), 0, Mode.SUBSTITUTE));
        awaitNoDownloads();
        lru(cache).run();
        assertThat(index.narInfo(nar.hash())).isEmpty();

        assertThat(read(sibling(2).nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(upstream.lookups()).isEqualTo(3);
    }

    @Test
    void aNarNoNarInfoEverNamedIsNotFoundWithoutAskingUpstream() throws Exception {
        cache.narInfo(nar.hash(), false);
        read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE));
        awaitNoDownloads();
        lru(cache).run();
        int lookups = upstream.lookups();

        TestNar never = TestNar.of("never-1.0", 1000);
        upstream.publish(never);
        assertThat(sibling(2).nar(never.key(), 0, Mode.SUBSTITUTE)).isInstanceOf(Cache.NotFound.class);
        assertThat(sibling(3).narHead(never.key(), Mode.SUBSTITUTE)).isInstanceOf(Cache.NotFound.class);
        assertThat(upstream.lookups()).isEqualTo(lookups);
    }

    @Test
    void anEvictedNarWhoseNarInfoNowNamesAnotherFileIsNotServed() throws Exception {
        cache.narInfo(nar.hash(), false);
        read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE));
        awaitNoDownloads();
        lru(cache).run();
        upstream.unpublish(nar);
        TestNar rebuilt = TestNar.of("hello-2.12", 2000);
        upstream.publish(rebuilt);

        assertThat(sibling(2).nar(nar.key(), 0, Mode.SUBSTITUTE)).isInstanceOf(Cache.NotFound.class);
        assertThat(upstream.opens()).isEqualTo(1);
    }

    @Test
    void aNarWhoseNarInfoUpstreamNoLongerHasIsStillNotFound() throws Exception {
        cache.narInfo(nar.hash(), false);
        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        awaitNoDownloads();
        lru(cache).run();
        upstream.unpublish(nar);

        assertThat(cache.nar(nar.key(), 0, Mode.SUBSTITUTE)).isInstanceOf(Cache.NotFound.class);
        assertThat(cache.narInfo(nar.hash(), false)).isInstanceOf(Cache.NotFound.class);
    }

    @Test
    void aFollowerRelaysTheOwnersBytesWithoutFetchingOrStoring() throws Exception {
        coordinator.then(new Follower("peer-a")).relaying(() -> MemoryUpstream.stream(Body.of(nar.bytes())));
        cache.narInfo(nar.hash(), false);

        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(upstream.opens()).isZero();
        assertThat(stored()).as("the owner stores it, not the follower").isFalse();
        assertThat(coordinator.events()).containsExactly("claim", "openPeer peer-a");
    }

    @Test
    void aDownloadThatChangesHandsContinuesAfterTheBytesAlreadyRelayed() throws Exception {
        coordinator.then(new Follower("peer-a"))
                .relaying(() -> MemoryUpstream.stream(Body.of(nar.bytes()).failingAfter(CONTENT_SIZE / 2)));
        cache.narInfo(nar.hash(), false);

        assertThat(read(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isEqualTo(nar.bytes());
        assertThat(coordinator.events()).containsExactly("claim", "openPeer peer-a", "afterPeerFailure peer-a");
        assertThat(upstream.opens()).isEqualTo(1);
        assertThat(stored()).isTrue();
    }

    @Test
    void aNewSourceThatDisagreesWithTheRelayedPrefixFailsTheDownload() throws Exception {
        byte[] corrupted = nar.corrupted();
        coordinator.then(new Follower("peer-a"))
                .relaying(() -> MemoryUpstream.stream(Body.of(corrupted).failingAfter(corrupted.length * 3L / 4)));
        cache.narInfo(nar.hash(), false);

        assertThat(fails(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isTrue();
        assertThat(coordinator.events()).contains("afterPeerFailure peer-a");
        assertThat(stored()).isFalse();
        assertThat(index.narFile(nar.key().narHash(), nar.key().compression())).isEmpty();
    }

    @Test
    void aRefusedClaimFailsTheRequestWithoutTouchingTheUpstream() throws Exception {
        coordinator.then(new Refused("lock backend down"));
        cache.narInfo(nar.hash(), false);

        assertThat(fails(cache.nar(nar.key(), 0, Mode.SUBSTITUTE))).isTrue();
        assertThat(upstream.opens()).isZero();
        assertThat(stored()).isFalse();
    }

    // ---------------------------------------------------------------- helpers

    /** Another instance on the same index, store and upstream, which has served nothing yet. */
    private Cache sibling(int n) throws IOException {
        return new Cache(upstream, store, index, new Signer(SecretKey.generate("cache-test-" + n), true),
                new CacheSettings(Files.createDirectories(dir.resolve("downloads-" + n)), 1000, Duration.ofMinutes(1),
                        Duration.ofMinutes(5), 32 * 1024), Clock.systemUTC(), executor, CacheListener.NONE, coordinator);
    }

    /** An LRU that evicts everything it may, wired to {@code owner} as the server wires it. */
    private Lru lru(Cache owner) {
        return new Lru(index, store, 0, Clock.systemUTC(), LruListener.NONE, owner::narFilesEvicted);
    }

    private boolean stored() throws IOException {
        return store.exists(nar.key().storeKey());
    }

    private static String text(Cache.NarInfoResult result) {
        assertThat(result).isInstanceOf(NarInfoFound.class);
        return new String(((NarInfoFound) result).text(), StandardCharsets.UTF_8);
    }

    /** The whole body, whether it was already stored or still downloading when asked for. */
    private static byte[] read(NarResult result) throws IOException {
        return switch (result) {
            case NarStored stored -> readAll(stored.blob());
            case NarStreaming streaming -> {
                try (InputStream in = streaming.body()) {
                    yield in.readAllBytes();
                }
            }
            default -> throw new AssertionError("no body: " + result);
        };
    }

    private static byte[] read(ListingResult result) throws IOException {
        return switch (result) {
            case ListingStored stored -> readAll(stored.blob());
            case ListingRelayed relayed -> relayed.json();
            default -> throw new AssertionError("no listing: " + result);
        };
    }

    private static byte[] readAll(Store.Blob blob) throws IOException {
        try (InputStream in = blob.open(0)) {
            return in.readAllBytes();
        }
    }

    /** True when the client gets no complete body: an error answer, or a transfer that breaks. */
    private static boolean fails(NarResult result) {
        if (result instanceof Unavailable) {
            return true;
        }
        try {
            read(result);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A failed or finished download leaves the single-flight map just after its readers were told. */
    private void awaitNoDownloads() throws InterruptedException {
        while (cache.activeDownloads() > 0) {
            Thread.sleep(5);
        }
    }

    /** Waits until the thread blocks (on a lock, a latch or a future) or ends. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        while (thread.isAlive() && thread.getState() != Thread.State.WAITING) {
            Thread.sleep(5);
        }
    }
}
