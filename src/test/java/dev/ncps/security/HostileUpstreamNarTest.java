package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.e2e.LogCapture;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.Closer;
import dev.ncps.testing.Fault;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An upstream that signs its narinfos correctly but lies in everything the signature does not cover
 * (FileHash, FileSize, the NAR bytes) or drips its bytes. Whatever it does, ncps keeps nothing, no client
 * receives a complete wrong body, and the work stays bounded by the signed NarSize.
 */
@Tag("slow")
@Tag("security")
class HostileUpstreamNarTest {
    @RegisterExtension
    private final Closer closer = new Closer();
    private final HostileCache cache = closer.add(new HostileCache());
    private final HttpClient http = closer.add(Http.client());
    private UpstreamServer upstream;
    private InProcessNcps ncps;

    @Test
    void aShortNarWithAConsistentFileHashAndFileSizeIsRefused() {
        byte[] shortNar = HostileCache.narOfFile(HostileCache.randomBytes(3 * 1024, 2));
        String hash = cache.publish("victim-short", Compression.XZ, cache.file(HostileCache.compress(Compression.XZ, shortNar)), true);

        assertRefused(hash, Map.of(), "signed NarHash/NarSize");
    }

    @Test
    void anotherNarOfTheSameSizeWithAConsistentFileHashIsRefused() {
        byte[] otherNar = HostileCache.narOfFile(HostileCache.randomBytes(64 * 1024, 3));
        String hash = cache.publish("victim-other", Compression.XZ, cache.file(HostileCache.compress(Compression.XZ, otherNar)), true);

        assertRefused(hash, Map.of(), "signed NarHash/NarSize");
    }

    @Test
    void aZstdBombWithAConsistentFileHashIsStoppedAtTheSignedNarSize() {
        String hash = cache.publish("victim-zstd-bomb", Compression.ZSTD, cache.bomb(Compression.ZSTD, 1L << 30), true);

        assertRefused(hash, Map.of(), "larger than its signed NarSize of " + HostileCache.VICTIM_NAR.length);
    }

    @Test
    void anXzBombWithAConsistentFileHashIsStoppedAtTheSignedNarSize() {
        String hash = cache.publish("victim-xz-bomb", Compression.XZ, cache.bomb(Compression.XZ, 32L << 20), true);

        assertRefused(hash, Map.of(), "larger than its signed NarSize of " + HostileCache.VICTIM_NAR.length);
    }

    @Test
    void withoutFileSizeAnUpstreamSendingFarTooMuchIsCutOffNearNarSize() throws Exception {
        // A valid xz stream of the right NAR, then 256 MiB of zeros, which xz accepts as stream padding.
        byte[] valid = HostileCache.compress(Compression.XZ, HostileCache.VICTIM_NAR);
        long total = valid.length + (((256L << 20) - valid.length) & ~3L);
        String hash = cache.publish("victim-padded", Compression.XZ, cache.padded(valid, total), false);

        assertRefused(hash, Map.of(), "bytes, the most");

        assertThat(upstream.bytesSent(cache.narPath(hash))).as("bytes the upstream got to send of its %d", total)
                .isLessThan(32L << 20);
    }

    @Test
    void anUpstreamDrippingTheRightBytesIsCutOffAtTheDownloadDeadline() throws Exception {
        Path file = cache.file(HostileCache.compress(Compression.XZ, HostileCache.VICTIM_NAR));
        long size = Files.size(file);
        String hash = cache.publish("victim-drip", Compression.XZ, file, true);
        startNcps(Map.of("CACHE_DOWNLOAD_TIME_ALLOWANCE", "1s", "CACHE_DOWNLOAD_MIN_THROUGHPUT", "64K"));
        // 4 KiB/s: about 16 s for the NAR, while its deadline is 1 s plus 2 s for its size at 64 KiB/s.
        upstream.inject(UpstreamServer.exactly(cache.narPath(hash)), Fault.throttle(4096));

        assertRefusedOnce(hash, "deadline");

        assertThat(upstream.bytesSent(cache.narPath(hash))).as("bytes dripped of %d", size).isLessThan(size);
    }

    private void assertRefused(String hash, Map<String, String> settings, String reason) {
        startNcps(settings);
        assertRefusedOnce(hash, reason);
    }

    private void startNcps(Map<String, String> settings) {
        if (ncps == null) {
            upstream = closer.add(new UpstreamServer(cache.dir()));
            ncps = closer.add(InProcessNcps.start(upstream.url(), cache.publicKey(), settings));
        }
    }

    /** The narinfo is served (it is correctly signed); its NAR never is, and nothing of it is kept. */
    private void assertRefusedOnce(String hash, String reason) {
        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + hash + ".narinfo"));
        assertThat(narInfo.statusCode()).as(Http.text(narInfo)).isEqualTo(200);
        String narUrl = "/" + parse(Http.text(narInfo)).url();
        String storedName = narUrl.substring(narUrl.lastIndexOf('/') + 1, narUrl.indexOf('.', narUrl.lastIndexOf('/')));

        try (LogCapture log = new LogCapture("dev.ncps.cache")) {
            assertTransferFails(narUrl);
            Processes.await("the failed download to be logged", Duration.ofSeconds(30),
                    () -> log.messages().stream().anyMatch(line -> line.contains(reason)));
        }
        Processes.await("the failed download's temp file to be removed", Duration.ofSeconds(10),
                () -> ncps.tempFiles().isEmpty());
        assertThat(ncps.storedFilesNamed(storedName)).as("stored files of the refused NAR").isEmpty();
    }

    /** A client gets an error status or a transfer that breaks off, never a complete 200. */
    private void assertTransferFails(String narUrl) {
        HttpResponse<byte[]> response;
        try {
            response = Http.get(http, ncps.url(narUrl));
        } catch (UncheckedIOException broken) {
            return;
        }
        assertThat(response.statusCode()).as("a complete answer of %d bytes", response.body().length).isNotEqualTo(200);
    }

    private static NarInfo parse(String text) {
        try {
            return NarInfo.parse(text);
        } catch (dev.ncps.nix.NixParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
