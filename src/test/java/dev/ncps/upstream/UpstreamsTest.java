package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ncps.cache.UpstreamSource;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.PublicKey;
import dev.ncps.testing.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class UpstreamsTest {

    static final String HELLO = "n5glp21rsz314qssw9fbvfswgy3kc68f";       // xz, cache.nixos.org
    static final String HELLO_24_05 = "3acqrvb06vw0w3s9fa3wci433snbi2bg";
    static final String HARMONIA = "jiwdym6f9w6v5jcbqf5wn7fmg11v5q0j";    // none, nar/<N>.nar?hash=<H>
    static final String NIX_SERVE = "c12lxpykv6sld7a0sakcnr3y0la70x8w";   // none, no FileHash/FileSize
    static final String MISSING = "00000000000000000000000000000000";
    static final PublicKey NIXOS = key("cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=");

    @TempDir Path temp;
    final MutableClock clock = new MutableClock();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final UpstreamListener recorder = new UpstreamListener() {
        @Override
        public void narInfoFetched(Upstream upstream, Duration duration, Outcome outcome) {
            events.add("narinfo " + upstream.url().getPort() + " " + outcome);
        }

        @Override
        public void narFetched(Upstream upstream, Duration timeToHeaders, Outcome outcome) {
            events.add("nar " + upstream.url().getPort() + " " + outcome);
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    static String missing(int i) {
        return MISSING.substring(1) + dev.ncps.nix.NixBase32.ALPHABET.charAt(i + 1);
    }

    static PublicKey key(String text) {
        try {
            return PublicKey.parse(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String fixture(String hash) throws IOException {
        try (InputStream in = UpstreamsTest.class.getResourceAsStream("/fixtures/narinfo/" + hash + ".narinfo")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    FakeUpstream upstream(String prefix, int priority) throws Exception {
        Path root = Files.createTempDirectory(temp, "up");
        FakeUpstream upstream = new FakeUpstream(root, prefix);
        toClose.add(upstream);
        upstream.putCacheInfo(priority);
        return upstream;
    }

    FakeUpstream upstream() throws Exception {
        return upstream("", 50);
    }

    /** An upstream that has {@code HELLO}'s narinfo. */
    FakeUpstream upstreamWithHello() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", fixture(HELLO));
        return up;
    }

    UpstreamSpec spec(URI url) {
        return new UpstreamSpec(url, 0, List.of(NIXOS));
    }

    /** Started and checked once, so each upstream's health is known. */
    Upstreams start(UpstreamOptions options, UpstreamSpec... specs) {
        Upstreams upstreams = startUnchecked(options, specs);
        upstreams.checkHealth();
        return upstreams;
    }

    /** Started: its first health check runs in the background and may not have answered yet. */
    Upstreams startUnchecked(UpstreamOptions options, UpstreamSpec... specs) {
        Upstreams upstreams = new Upstreams(List.of(specs), options, clock, recorder);
        toClose.add(upstreams);
        upstreams.start();
        return upstreams;
    }

    Upstreams start(UpstreamSpec... specs) {
        return start(UpstreamOptions.defaults(), specs);
    }

    /**
     * The warnings and errors of {@link Upstreams} from now on. Not its info lines: the health check that
     * {@link #start} begins may report an upstream healthy at any moment after it returns.
     */
    ListAppender<ILoggingEvent> captureLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(Upstreams.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        ch.qos.logback.classic.filter.ThresholdFilter warnings = new ch.qos.logback.classic.filter.ThresholdFilter();
        warnings.setLevel("WARN");
        warnings.start();
        appender.addFilter(warnings);
        appender.start();
        logger.addAppender(appender);
        toClose.add(() -> logger.detachAppender(appender));
        return appender;
    }

    static String withLine(String narInfo, String key, String value) {
        return narInfo.replaceFirst("(?m)^" + key + ": .*$", key + ": " + value);
    }

    // --- lookups and verification

    @Test
    void findsAndVerifiesASignedNarInfoUnderAPathPrefix() throws Exception {
        FakeUpstream up = upstream("/some/cache", 50);
        up.put(HELLO + ".narinfo", fixture(HELLO));
        Upstreams upstreams = start(spec(up.url()));

        UpstreamSource.Lookup lookup = upstreams.lookupNarInfo(HELLO);

        assertThat(lookup).isInstanceOf(UpstreamSource.Found.class);
        UpstreamSource.Found found = (UpstreamSource.Found) lookup;
        assertThat(found.narInfo().storePath().hashPart()).isEqualTo(HELLO);
        assertThat(found.narInfo().fileSize()).isEqualTo(50160);
        assertThat(found.narUri()).isEqualTo(URI.create(up.url()
                + "/nar/1lid9xrpirkzcpqsxfq02qwiq0yd70chfl860wzsqd1739ih0nri.nar.xz"));
        assertThat(found.upstreamHost()).isEqualTo(up.url().getHost());
        assertThat(up.received()).allSatisfy(r -> assertThat(r.userAgent()).startsWith("ncps-java/"));
        assertThat(events).contains("narinfo " + up.url().getPort() + " FOUND");
    }

    @Test
    void aBadSignatureIsUnavailableAndLogsWhy() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", withLine(fixture(HELLO), "NarSize", "226553"));
        Upstreams upstreams = start(spec(up.url()));
        ListAppender<ILoggingEvent> log = captureLog();

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);

        assertThat(log.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains(HELLO).contains("bad signature").contains("cache.nixos.org-1"));
    }

    @Test
    void aSignatureByAnotherKeyNameIsUnavailable() throws Exception {
        FakeUpstream up = upstreamWithHello();
        // Same key bytes under another name: Nix matches signatures to keys by name first.
        PublicKey renamed = key("my-cache-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=");
        Upstreams upstreams = start(new UpstreamSpec(up.url(), 0, List.of(renamed)));
        ListAppender<ILoggingEvent> log = captureLog();

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);

        assertThat(log.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("no signature by a trusted key").contains("my-cache-1"));
    }

    // --- unsigned upstreams and content-addressed paths (values written by nix-bin 2.8's `nix store add-path`)

    static final String CA_PATH = "l7103xszg118h8fqxrcqgd2jcbb5zriq";
    static final String CA_NARINFO = """
            StorePath: /nix/store/l7103xszg118h8fqxrcqgd2jcbb5zriq-mydir
            URL: nar/0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj.nar
            Compression: none
            NarHash: sha256:0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj
            NarSize: 288
            References:\s
            CA: fixed:r:sha256:0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj
            """;

    UpstreamSpec keyless(URI url, boolean trustUnsigned) {
        return new UpstreamSpec(url, 0, List.of(), List.of(), trustUnsigned);
    }

    static String unsigned(String narInfo) {
        return narInfo.replaceAll("(?m)^Sig: .*\n", "");
    }

    static final String FLAT_PATH = "374kfmadwi8aqlyf1347zbjixndbbcl4";
    static final String FLAT_NARINFO = """
            StorePath: /nix/store/374kfmadwi8aqlyf1347zbjixndbbcl4-flat.txt
            URL: nar/x.nar
            Compression: none
            NarHash: sha256:0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj
            NarSize: 120
            CA: fixed:sha256:0cz729xf10lrw014jj2hlbxalgdpahxbg61gdg51jnryx8dqxrmr
            """;

    @Test
    void anUnsignedContentAddressedNarInfoThatRecomputesToItsPathIsAccepted() throws Exception {
        FakeUpstream up = upstream();
        up.put(CA_PATH + ".narinfo", CA_NARINFO);
        up.put(FLAT_PATH + ".narinfo", FLAT_NARINFO);
        Upstreams upstreams = start(keyless(up.url(), false));

        // A recursive address is the NarHash: ncps may sign it. A flat one pins only the file inside the NAR.
        assertThat(upstreams.lookupNarInfo(CA_PATH)).isInstanceOfSatisfying(UpstreamSource.Found.class,
                found -> assertThat(found.vouched()).isTrue());
        assertThat(upstreams.lookupNarInfo(FLAT_PATH)).isInstanceOfSatisfying(UpstreamSource.Found.class,
                found -> assertThat(found.vouched()).isFalse());
    }

    @Test
    void aForgedContentAddressIsRefused() throws Exception {
        FakeUpstream up = upstream();
        // The path of another name, an input-addressed path with a CA, a flat address with a reference.
        up.put(CA_PATH + ".narinfo", CA_NARINFO.replace("-mydir", "-evil"));
        up.put(HELLO + ".narinfo", unsigned(fixture(HELLO)) + "CA: fixed:r:sha256:07kc6swib31psygpmwi8952lvywlpqn474059yxl7grwsvr6k0fj\n");
        up.put(FLAT_PATH + ".narinfo", withLine(FLAT_NARINFO, "NarSize", "120\nReferences: " + CA_PATH + "-mydir"));
        Upstreams upstreams = start(keyless(up.url(), false));
        ListAppender<ILoggingEvent> log = captureLog();

        assertThat(upstreams.lookupNarInfo(CA_PATH)).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(upstreams.lookupNarInfo(FLAT_PATH)).isInstanceOf(UpstreamSource.Unavailable.class);

        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).satisfiesExactly(
                m -> assertThat(m).contains("makes /nix/store/").contains("not /nix/store/" + CA_PATH + "-evil"),
                m -> assertThat(m).contains("makes /nix/store/").contains("not /nix/store/" + HELLO),
                m -> assertThat(m).contains("cannot have references"));
    }

    @Test
    void anUnsignedInputAddressedNarInfoIsRefusedUnlessTheUpstreamIsTrustedWithoutSignatures() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", unsigned(fixture(HELLO)));
        ListAppender<ILoggingEvent> log = captureLog();

        assertThat(start(keyless(up.url(), false)).lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(start(spec(up.url())).lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.contains("rejecting"))
                .satisfiesExactly(
                m -> assertThat(m).contains("only content-addressed paths are accepted"),
                m -> assertThat(m).contains("not signed (trusted keys: cache.nixos.org-1)"));

        assertThat(start(keyless(up.url(), true)).lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Found.class);
    }

    @Test
    void aTrustedUnsignedUpstreamStillLosesABadSignatureByItsKey() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", withLine(fixture(HELLO), "NarSize", "226553"));
        Upstreams upstreams = start(new UpstreamSpec(up.url(), 0, List.of(NIXOS), List.of(), true));

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
    }

    @Test
    void aValidNarInfoOfAnotherStorePathIsRejected() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO_24_05 + ".narinfo", fixture(HELLO));
        Upstreams upstreams = start(spec(up.url()));

        assertThat(upstreams.lookupNarInfo(HELLO_24_05)).isInstanceOf(UpstreamSource.Unavailable.class);
    }

    @Test
    void anUnparsableNarInfoIsUnavailable() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", "this is not a narinfo\n");
        Upstreams upstreams = start(spec(up.url()));
        ListAppender<ILoggingEvent> log = captureLog();

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(log.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).contains("parse"));
    }

    // --- not found versus unavailable, negative cache

    @Test
    void notFoundEverywhereIsNotFound() throws Exception {
        FakeUpstream a = upstream();
        FakeUpstream b = upstream();
        Upstreams upstreams = start(spec(a.url()), spec(b.url()));

        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(a.requests(MISSING + ".narinfo")).isEqualTo(1);
        assertThat(b.requests(MISSING + ".narinfo")).isEqualTo(1);
    }

    @Test
    void aServerErrorIsUnavailableNotNotFound() throws Exception {
        FakeUpstream up = upstreamWithHello();
        Upstreams upstreams = start(spec(up.url()));
        up.statusOverride = 503;

        UpstreamSource.Lookup lookup = upstreams.lookupNarInfo(HELLO);

        assertThat(lookup).isInstanceOfSatisfying(UpstreamSource.Unavailable.class, u -> {
            assertThat(u.reason()).isEqualTo("upstream " + up.url().getHost() + " failed");
            assertThat(upstreams.status().getFirst().lastError()).contains("503");
            assertThat(u.timedOut()).isFalse();
        });
    }

    @Test
    void oneUpstreamMissingAndAnotherFailingIsUnavailable() throws Exception {
        FakeUpstream a = upstream();
        FakeUpstream b = upstream();
        Upstreams upstreams = start(spec(a.url()), spec(b.url()));
        b.statusOverride = 500;

        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.Unavailable.class);
    }

    @Test
    void aNegativeCacheHitAvoidsASecondUpstreamRequestUntilItExpires() throws Exception {
        FakeUpstream up = upstream();
        Upstreams upstreams = start(UpstreamOptions.defaults().withNegativeCache(Duration.ofSeconds(30), 100),
                spec(up.url()));

        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(up.requests(MISSING + ".narinfo")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(31));
        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(up.requests(MISSING + ".narinfo")).isEqualTo(2);
    }

    @Test
    void aFailureIsNeverRememberedAsMissing() throws Exception {
        FakeUpstream up = upstreamWithHello();
        Upstreams upstreams = start(spec(up.url()));
        up.statusOverride = 502;
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
        // The 502 made the upstream check itself at once; let that check end before the upstream recovers.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (upstreams.status().getFirst().healthy()) {
            assertThat(System.nanoTime()).as("the re-check after a 502").isLessThan(deadline);
            Thread.sleep(10);
        }

        up.statusOverride = 0;
        // Only the negative cache is under test here: the next check finds the upstream back.
        upstreams.checkHealth();
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Found.class);
    }

    // --- priority, hedging, health, breaker

    @Test
    void theUpstreamWithTheBestNixCacheInfoPriorityIsAskedFirst() throws Exception {
        FakeUpstream worse = upstream("", 40);
        FakeUpstream better = upstream("", 10);
        worse.put(HELLO + ".narinfo", fixture(HELLO));
        better.put(HELLO + ".narinfo", fixture(HELLO));
        Upstreams upstreams = start(spec(worse.url()), spec(better.url()));

        UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(HELLO);

        assertThat(found.narUri().toString()).startsWith(better.url() + "/");
        assertThat(worse.requests(HELLO + ".narinfo")).isZero();
    }

    @Test
    void anExplicitPriorityInTheUrlWinsAndIsNotSentUpstream() throws Exception {
        FakeUpstream a = upstream("/cache", 10);
        FakeUpstream b = upstream("/cache", 40);
        a.put(HELLO + ".narinfo", fixture(HELLO));
        b.put(HELLO + ".narinfo", fixture(HELLO));
        Upstreams upstreams = start(new UpstreamSpec(a.url(), 60, List.of(NIXOS)), spec(b.url()));

        UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(HELLO);

        assertThat(found.narUri().toString()).startsWith(b.url() + "/");
        assertThat(upstreams.status()).extracting(UpstreamStatus::priority).containsExactly(60, 40);
        assertThat(a.received()).isNotEmpty().allSatisfy(r -> assertThat(r.pathAndQuery()).doesNotContain("priority"));
    }

    @Test
    void aSlowBestUpstreamIsHedgedWithTheNextOne() throws Exception {
        FakeUpstream slow = upstream("", 10);
        FakeUpstream fast = upstream("", 20);
        slow.put(HELLO + ".narinfo", fixture(HELLO));
        fast.put(HELLO + ".narinfo", fixture(HELLO));
        Upstreams upstreams = start(UpstreamOptions.defaults().withHedgeDelay(Duration.ofMillis(100)),
                spec(slow.url()), spec(fast.url()));
        slow.delayBeforeHeaders = Duration.ofSeconds(2);

        long start = System.nanoTime();
        UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(HELLO);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(found.narUri().toString()).startsWith(fast.url() + "/");
        assertThat(took).isLessThan(Duration.ofMillis(1500));
        assertThat(slow.requests(HELLO + ".narinfo")).isEqualTo(1);
    }

    @Test
    void aHangingUpstreamCostsBoundedTimeThenTheBreakerSkipsItUntilTheCooldownEnds() throws Exception {
        FakeUpstream hanging = upstream("", 10);
        hanging.delayBeforeHeaders = Duration.ofSeconds(10);
        hanging.faultPathSuffix = ".narinfo";
        FakeUpstream alive = upstream("", 50);
        UpstreamOptions options = UpstreamOptions.defaults()
                .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(1))
                .withBreaker(2, Duration.ofSeconds(30))
                .withHedgeDelay(Duration.ofMillis(50));
        Upstreams upstreams = start(options, spec(hanging.url()), spec(alive.url()));

        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            assertThat(upstreams.lookupNarInfo(missing(i))).isInstanceOfSatisfying(UpstreamSource.Unavailable.class,
                    u -> assertThat(u.timedOut()).isTrue());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
        assertThat(upstreams.status().getFirst().breakerOpen()).isTrue();
        assertThat(upstreams.status().getFirst().healthy()).isFalse();

        long start = System.nanoTime();
        assertThat(upstreams.lookupNarInfo(missing(2))).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(250));
        assertThat(alive.requests(missing(2) + ".narinfo")).isEqualTo(1);
        assertThat(hanging.requests(missing(2) + ".narinfo")).isZero();

        // After the cooldown one probe goes through again (and times out again).
        clock.advance(Duration.ofSeconds(31));
        assertThat(upstreams.lookupNarInfo(missing(3))).isInstanceOf(UpstreamSource.Unavailable.class);
        assertThat(hanging.requests(missing(3) + ".narinfo")).isEqualTo(1);
    }

    @Test
    void aClosedPortFailsFastAndTheHealthCheckTakesItOut() throws Exception {
        int closedPort = Processes.freePort();
        FakeUpstream alive = upstream();
        Upstreams upstreams = start(spec(URI.create("http://127.0.0.1:" + closedPort)), spec(alive.url()));

        assertThat(upstreams.status()).extracting(UpstreamStatus::healthy).containsExactly(false, true);
        assertThat(upstreams.status().getFirst().lastError()).contains("nix-cache-info");
        long start = System.nanoTime();
        assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void upstreamsAreUsableBeforeTheFirstHealthCheckAnswers() throws Exception {
        FakeUpstream up = upstreamWithHello();
        up.delayBeforeHeaders = Duration.ofMillis(1000);
        Upstreams upstreams = startUnchecked(UpstreamOptions.defaults(), spec(up.url()));

        // The first check is still waiting for its answer when the lookup starts, and the lookup is not held back.
        assertThat(upstreams.status().getFirst().health()).isEqualTo(Upstream.Health.UNKNOWN);
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Found.class);
    }

    @Test
    void anUnhealthyUpstreamIsSkippedUntilACheckPasses() throws Exception {
        FakeUpstream up = upstreamWithHello();
        up.statusOverride = 500;
        up.faultPathSuffix = "nix-cache-info";
        Upstreams upstreams = start(spec(up.url()));

        assertThat(upstreams.status().getFirst().healthy()).isFalse();
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOfSatisfying(UpstreamSource.Unavailable.class,
                u -> assertThat(u.reason()).isEqualTo("no usable upstream: " + up.url().getHost() + " unhealthy"));
        assertThat(upstreams.status().getFirst().lastError()).contains("500");
        assertThat(up.requests(HELLO + ".narinfo")).isZero();

        up.statusOverride = 0;
        upstreams.checkHealth();
        assertThat(upstreams.status().getFirst().health()).isEqualTo(Upstream.Health.HEALTHY);
        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Found.class);
    }

    // --- timeouts

    @Test
    void theResponseHeaderTimeoutFires() throws Exception {
        FakeUpstream up = upstreamWithHello();
        Upstreams upstreams = start(UpstreamOptions.defaults()
                .withTimeouts(Duration.ofSeconds(3), Duration.ofMillis(200), Duration.ofSeconds(30)), spec(up.url()));
        up.delayBeforeHeaders = Duration.ofSeconds(5);

        long start = System.nanoTime();
        UpstreamSource.Lookup lookup = upstreams.lookupNarInfo(HELLO);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(lookup).isInstanceOfSatisfying(UpstreamSource.Unavailable.class, u -> assertThat(u.timedOut()).isTrue());
    }

    // --- NARs

    @Test
    void aNarStreamsAsStoredWithIdentityEncoding() throws Exception {
        FakeUpstream up = upstream();
        byte[] nar = new byte[300_000];
        new java.util.Random(7).nextBytes(nar);
        up.put("nar/x.nar.xz", nar);
        Upstreams upstreams = start(spec(up.url()));
        Upstream upstream = upstreams.upstreams().getFirst();

        try (NarResponse response = upstreams.openNar(upstream, URI.create(up.url() + "/nar/x.nar.xz"), nar.length)) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.contentLength()).isEqualTo(nar.length);
            assertThat(response.body().readAllBytes()).isEqualTo(nar);
        }
        assertThat(up.received()).filteredOn(r -> r.pathAndQuery().startsWith("/nar/"))
                .singleElement().satisfies(r -> assertThat(r.acceptEncoding()).isEqualTo("identity"));
        assertThat(events).contains("nar " + up.url().getPort() + " FOUND");
    }

    @Test
    void aStalledNarBodyFailsAfterTheIdleTimeout() throws Exception {
        FakeUpstream up = upstream();
        up.put("nar/x.nar", new byte[100_000]);
        Upstreams upstreams = start(UpstreamOptions.defaults()
                .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMillis(200)), spec(up.url()));
        up.stallAfterBytes = 1000;

        long start = System.nanoTime();
        try (NarResponse response = upstreams.openNar(upstreams.upstreams().getFirst(),
                URI.create(up.url() + "/nar/x.nar"), 100_000)) {
            assertThatThrownBy(() -> response.body().readAllBytes())
                    .isInstanceOfSatisfying(UpstreamException.class,
                            e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.TIMEOUT));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aTruncatedNarBodyFails() throws Exception {
        FakeUpstream up = upstream();
        up.put("nar/x.nar", new byte[100_000]);
        Upstreams upstreams = start(spec(up.url()));
        up.truncateAfterBytes = 5000;

        try (NarResponse response = upstreams.openNar(upstreams.upstreams().getFirst(),
                URI.create(up.url() + "/nar/x.nar"), 100_000)) {
            assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aNarWithAnotherSizeThanTheNarInfoSaysFails() throws Exception {
        FakeUpstream up = upstream();
        up.put("nar/x.nar", new byte[1000]);
        Upstreams upstreams = start(spec(up.url()));

        assertThatThrownBy(() -> upstreams.openNar(upstreams.upstreams().getFirst(),
                URI.create(up.url() + "/nar/x.nar"), 999))
                .isInstanceOfSatisfying(UpstreamException.class, e -> {
                    assertThat(e.kind()).isEqualTo(UpstreamException.Kind.FAILED);
                    assertThat(e.getMessage()).contains("Content-Length 1000").contains("FileSize 999");
                });
    }

    @Test
    void aMissingNarIsNotFoundAndAServerErrorIsFailed() throws Exception {
        FakeUpstream up = upstream();
        Upstreams upstreams = start(spec(up.url()));
        Upstream upstream = upstreams.upstreams().getFirst();
        URI uri = URI.create(up.url() + "/nar/x.nar");

        assertThatThrownBy(() -> upstreams.openNar(upstream, uri, -1)).isInstanceOfSatisfying(
                UpstreamException.class, e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.NOT_FOUND));
        up.statusOverride = 500;
        assertThatThrownBy(() -> upstreams.openNar(upstream, uri, -1)).isInstanceOfSatisfying(
                UpstreamException.class, e -> assertThat(e.kind()).isEqualTo(UpstreamException.Kind.FAILED));
    }

    // --- netrc

    @Test
    void netrcCredentialsReachTheServerOnEveryRequest() throws Exception {
        FakeUpstream up = upstreamWithHello();
        Path netrc = temp.resolve("netrc");
        Files.writeString(netrc, "machine other.example login x password y\nmachine 127.0.0.1\n  login alice\n"
                + "  password \"s3cret pass\"\n");
        Upstreams upstreams = start(UpstreamOptions.defaults().withNetrcFile(netrc), spec(up.url()));

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Found.class);

        String expected = "Basic " + Base64.getEncoder().encodeToString(
                "alice:s3cret pass".getBytes(StandardCharsets.UTF_8));
        assertThat(up.received()).extracting(FakeUpstream.Received::pathAndQuery)
                .contains("/nix-cache-info", "/" + HELLO + ".narinfo");
        assertThat(up.received()).allSatisfy(r -> assertThat(r.authorization()).isEqualTo(expected));
    }

    @Test
    void aMissingOrBrokenNetrcMeansNoCredentials() throws Exception {
        FakeUpstream up = upstream();
        Path broken = temp.resolve("broken-netrc");
        Files.writeString(broken, "machine 127.0.0.1 login alice passwd oops\n");
        for (Path netrc : List.of(temp.resolve("does-not-exist"), broken)) {
            Upstreams upstreams = start(UpstreamOptions.defaults().withNetrcFile(netrc), spec(up.url()));
            assertThat(upstreams.lookupNarInfo(MISSING)).isInstanceOf(UpstreamSource.NotFound.class);
        }
        assertThat(up.received()).isNotEmpty().allSatisfy(r -> assertThat(r.authorization()).isNull());
    }

    // --- dialects

    @Test
    void compressionNoneWithoutFileFieldsGetsThemFromTheNar() throws Exception {
        FakeUpstream up = upstream();
        up.put(NIX_SERVE + ".narinfo", fixture(NIX_SERVE));
        Upstreams upstreams = start(spec(up.url()));

        UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(NIX_SERVE);

        assertThat(found.narInfo().fileHash()).isEqualTo(found.narInfo().narHash());
        assertThat(found.narInfo().fileSize()).isEqualTo(113256);
        assertThat(NarFileKey.servedFor(found.narInfo()).url())
                .isEqualTo("nar/1yf3p87fsqig07crd9sj9wh7i9jpsa0x86a22fqbls7c81lc7ws2.nar");
    }

    @Test
    void compressionNoneWithAFileHashOtherThanTheNarHashIsRejected() throws Exception {
        FakeUpstream up = upstream();
        up.put(HARMONIA + ".narinfo", withLine(fixture(HARMONIA), "FileHash",
                "sha256:1lid9xrpirkzcpqsxfq02qwiq0yd70chfl860wzsqd1739ih0nri"));
        Upstreams upstreams = start(spec(up.url()));

        assertThat(upstreams.lookupNarInfo(HARMONIA)).isInstanceOf(UpstreamSource.Unavailable.class);
    }

    @Test
    void aHashNamedUrlKeepsItsQuery() throws Exception {
        FakeUpstream up = upstream("/harmonia", 50);
        up.put(HARMONIA + ".narinfo", fixture(HARMONIA));
        Upstreams upstreams = start(spec(up.url()));

        UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(HARMONIA);

        assertThat(found.narUri()).isEqualTo(URI.create(up.url()
                + "/nar/14vg46h9nbbqgbrbszrqm48f0bgzj6c4q3wkkcjf6gp53g8b21gh.nar?hash=" + HARMONIA));
    }

    @Test
    void nixServePrefixedAndOpaqueCachixAndSnixUrlsResolveAgainstTheUpstream() throws Exception {
        // The fingerprint does not cover the URL, so the real signature stays valid under any URL dialect.
        for (String url : List.of(
                "nar/" + HELLO + "-07kc6swib31psygpmwi8952lvywlpqn474059yxl7grwsvr6k0fj.nar",
                "nar/5b3a1b2e-9c1f-4f7e-8f5e-0a1b2c3d4e5f.nar.zst",
                "nar/snix-castore/abcDEF123?narsize=226552")) {
            FakeUpstream up = upstream();
            up.put(HELLO + ".narinfo", withLine(fixture(HELLO), "URL", url));
            Upstreams upstreams = start(spec(up.url()));

            UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(HELLO);

            assertThat(found.narUri()).isEqualTo(URI.create(up.url() + "/" + url));
            assertThat(NarFileKey.servedFor(found.narInfo()).url())
                    .isEqualTo("nar/1lid9xrpirkzcpqsxfq02qwiq0yd70chfl860wzsqd1739ih0nri.nar.xz");
        }
    }

    @Test
    void aNarUrlWithAnotherSchemeIsRejected() throws Exception {
        FakeUpstream up = upstream();
        up.put(HELLO + ".narinfo", withLine(fixture(HELLO), "URL", "file:///etc/passwd"));
        Upstreams upstreams = start(spec(up.url()));

        assertThat(upstreams.lookupNarInfo(HELLO)).isInstanceOf(UpstreamSource.Unavailable.class);
    }

    @Test
    void theSameUpstreamTwiceIsRefused() {
        UpstreamSpec spec = spec(URI.create("http://127.0.0.1:1"));
        assertThatThrownBy(() -> new Upstreams(List.of(spec, spec), UpstreamOptions.defaults(), Clock.systemUTC(),
                UpstreamListener.NONE)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
