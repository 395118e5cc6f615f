package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class NixUpstreamCacheTest {
    @Test
    void rejectsNamesThatAreNoPlainDirectoryName() {
        assertThatThrownBy(() -> new NixUpstreamCache.Spec("../x", NixUpstreamCache.Compression.XZ, 1, 0))
                .hasMessageContaining("cache name");
    }

    @Test
    void extractsTheHashPartOfAStorePath() {
        assertThat(NixUpstreamCache.hashOf("/nix/store/qgl0nbjqggqb7ssvarn0sdb02967zihq-app-1.0"))
                .isEqualTo("qgl0nbjqggqb7ssvarn0sdb02967zihq");
        assertThatThrownBy(() -> NixUpstreamCache.hashOf("/nix/store/short")).hasMessageContaining("not a store path");
    }

    @Test
    @Tag("slow")
    void buildsOncePerJvmEvenWhenManyThreadsAskAtOnce() throws Exception {
        List<NixUpstreamCache> caches;
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            List<Future<NixUpstreamCache>> asks = IntStream.range(0, 4)
                    .mapToObj(i -> threads.submit(NixUpstreamCache::standard)).toList();
            caches = asks.stream().map(NixUpstreamCacheTest::join).toList();
        }
        assertThat(caches).allSatisfy(cache -> assertThat(cache).isSameAs(caches.getFirst()));
        NixUpstreamCache cache = caches.getFirst();
        assertThat(cache.cacheDir()).isEqualTo(TestDirs.target().resolve("test-upstreams/standard-xz/cache"));
        assertThat(cache.cacheDir().resolve("nix-cache-info")).exists();
        assertThat(cache.storePaths()).hasSize(6).allMatch(path -> path.startsWith("/nix/store/"));
    }

    @Test
    @Tag("slow")
    void refusesToReuseANameForOtherOptions() {
        NixUpstreamCache.standard();
        assertThatThrownBy(() -> NixUpstreamCache.of(
                new NixUpstreamCache.Spec("standard-xz", NixUpstreamCache.Compression.ZSTD, 1, 0)))
                .hasMessageContaining("already built");
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
