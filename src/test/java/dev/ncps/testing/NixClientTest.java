package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class NixClientTest {
    /** A well-formed key nobody signed anything with. */
    private static final String OTHER_KEY = "other-cache-1:3iA/W622CQ7hoWgCXVTtQ7oYsr9/WJ5FKBQ6U/4SlaM=";

    private static NixUpstreamCache cache;
    private static NixClient nix;
    private UpstreamServer upstream;

    @BeforeAll
    static void buildCache() {
        cache = NixUpstreamCache.standard();
        nix = new NixClient();
    }

    @AfterAll
    static void removeStores() {
        nix.close();
    }

    @BeforeEach
    void serve() {
        upstream = new UpstreamServer(cache.cacheDir());
    }

    @AfterEach
    void stop() {
        upstream.close();
    }

    @Test
    void copiesTheWholeClosureWhenTrustingTheCacheKey() {
        NixClient.Copy copy = nix.copyClosure(upstream.url(), cache.publicKey(), cache.closureRoot());

        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
        assertThat(cache.storePaths()).allSatisfy(path -> assertThat(nix.hasPath(copy.store(), path)).isTrue());
        assertThat(upstream.narRequests()).isEqualTo(cache.storePaths().size());
        NixClient.Result verify = nix.verify(copy.store(), cache.closureRoot(), cache.publicKey());
        assertThat(verify.succeeded()).as("%s", verify).isTrue();
    }

    @Test
    void verifyFailsForAKeyThatSignedNothing() {
        NixClient.Copy copy = nix.copyClosure(upstream.url(), cache.publicKey(), cache.closureRoot());
        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();

        NixClient.Result verify = nix.verify(copy.store(), cache.closureRoot(), OTHER_KEY);
        assertThat(verify.succeeded()).isFalse();
        assertThat(verify.stderr()).contains("is untrusted");
    }

    @Test
    void refusesPathsSignedByAnUntrustedKey() {
        NixClient.Copy copy = nix.copyClosure(upstream.url(), OTHER_KEY, cache.closureRoot());

        assertThat(copy.succeeded()).isFalse();
        assertThat(copy.result().stderr()).contains("lacks a valid signature");
        assertThat(nix.hasPath(copy.store(), cache.closureRoot())).isFalse();
    }

    @Test
    void failsOnACorruptedCompressedNar() {
        upstream.inject("/nar/.*", Fault.corrupt());

        NixClient.Copy copy = nix.copyClosure(upstream.url(), cache.publicKey(), cache.closureRoot());

        assertThat(copy.succeeded()).isFalse();
        assertThat(copy.result().stderr()).containsAnyOf("Corrupted input data", "hash mismatch");
        assertThat(nix.hasPath(copy.store(), cache.closureRoot())).isFalse();
    }

    @Test
    void reportsAHashMismatchForACorruptedUncompressedNar() {
        NixUpstreamCache plain = NixUpstreamCache.of(
                new NixUpstreamCache.Spec("standard-none", NixUpstreamCache.Compression.NONE, 1, 0));
        String big = plain.storePaths().stream().filter(path -> path.endsWith("-bigdata")).findFirst().orElseThrow();
        try (UpstreamServer plainUpstream = new UpstreamServer(plain.cacheDir())) {
            // The middle of the big blob is file data, so the NAR still parses and only its hash is wrong.
            plainUpstream.inject(UpstreamServer.exactly("/" + plain.narUrl(NixUpstreamCache.hashOf(big))),
                    Fault.corrupt());

            NixClient.Copy copy = nix.copyClosure(plainUpstream.url(), plain.publicKey(), big);

            assertThat(copy.succeeded()).isFalse();
            assertThat(copy.result().stderr()).contains("hash mismatch");
            assertThat(nix.hasPath(copy.store(), big)).isFalse();
        }
    }

    @Test
    void exposesTheCacheFilesByHash() {
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        assertThat(cache.narInfoFiles()).hasSize(cache.storePaths().size()).containsKey(hash);
        assertThat(cache.narInfoText(hash)).contains("StorePath: " + cache.closureRoot());
        assertThat(cache.narFile(hash)).exists().hasFileName(cache.narUrl(hash).substring("nar/".length()));
        assertThat(cache.narUrl(hash)).endsWith(".nar.xz");
        assertThat(cache.publicKey()).startsWith("upstream-").contains(":");
        assertThat(cache.secretKeyFile()).exists();
    }
}
