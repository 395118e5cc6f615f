package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A path LRU evicted never breaks a real nix client. After a copy, LRU on a second instance sharing the storage and
 * database removes every row and NAR; the first instance still holds the narinfos in memory and the client holds them
 * in its own narinfo cache, so the second copy asks for NARs no row names any more. They must be fetched again.
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
}
