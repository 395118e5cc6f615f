package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.HaproxyServer;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A path LRU evicted never breaks a real nix client. After a copy, LRU on another instance sharing the storage and
 * database removes every row and NAR; the instance that served the narinfos still holds them in memory, so the second
 * copy asks for NARs no row names any more, from that instance or from one that never served them. They must be
 * fetched again.
 */
@Tag("slow")
class EvictedPathTest {
    private static final Map<String, String> LRU = Map.of("CACHE_MAX_SIZE", "1B", "CACHE_LRU_SCHEDULE", "@every 1s");

    @Test
    void aClosureCopiedAgainAfterLruEvictedItIsFetchedAgainWhole() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
             NixClient nix = new NixClient()) {
            NixClient.Copy first = nix.copyClosure(ncps.url(), ncps.publicKey(), cache.closureRoot());
            assertThat(first.succeeded()).as("%s", first.result()).isTrue();
            assertThat(ncps.storedFilesNamed(".nar")).isNotEmpty();
            try (InProcessNcps evicting = ncps.sibling(LRU)) {
                Processes.await("LRU evicts every NAR", Duration.ofSeconds(60), () -> ncps.storedFilesNamed(".nar").isEmpty());
            }

            NixClient.Copy again = nix.copyClosure(ncps.url(), ncps.publicKey(), cache.closureRoot());
            assertThat(again.succeeded()).as("%s", again.result()).isTrue();
            assertThat(ncps.storedFilesNamed(".nar")).isNotEmpty();
        }
    }

    /**
     * Behind a balancer that sends the narinfo requests to the instance that served them (from memory, up to a minute
     * after LRU removed their rows) and the NAR requests to another that never saw them: that one finds neither row nor
     * anything it served, and answered 404 before LRU recorded what it evicted.
     */
    @Test
    void aNarEvictedElsewhereIsFetchedAgainByAnInstanceThatNeverServedItsNarInfo() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps serving = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of());
             InProcessNcps fresh = serving.sibling(Map.of());
             NixClient nix = new NixClient()) {
            NixClient.Copy first = nix.copyClosure(serving.url(), serving.publicKey(), cache.closureRoot());
            assertThat(first.succeeded()).as("%s", first.result()).isTrue();
            try (InProcessNcps evicting = serving.sibling(LRU)) {
                Processes.await("LRU evicts every NAR", Duration.ofSeconds(60), () -> serving.storedFilesNamed(".nar").isEmpty());
            }

            try (HaproxyServer balancer = HaproxyServer.start(List.of(serving.url(), fresh.url()),
                    HaproxyServer.Balance.NARINFOS_TO_FIRST)) {
                NixClient.Copy again = nix.copyClosure(balancer.url(), serving.publicKey(), cache.closureRoot());
                assertThat(again.succeeded()).as("%s", again.result()).isTrue();
                assertThat(nix.verify(again.store(), cache.closureRoot(), serving.publicKey()).succeeded()).isTrue();
            }
            assertThat(serving.storedFilesNamed(".nar")).isNotEmpty();
        }
    }
}
