package dev.ncps.lru;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixBase32;
import dev.ncps.nix.StorePath;
import dev.ncps.store.LocalStore;
import dev.ncps.metrics.Metrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LruTest {
    @TempDir
    Path dir;
    private Index index;
    private LocalStore store;
    private final Metrics metrics = new Metrics("test", "");

    @BeforeEach
    void open() throws Exception {
        index = Index.open(new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("db.sqlite"), null, null, 2, 1, true));
        store = new LocalStore(dir.resolve("storage"));
    }

    @AfterEach
    void close() throws Exception {
        index.close();
        store.close();
    }

    @Test
    void leastRecentlyUsedPathsAreRemovedRowsAndBytesUntilUnderTheLimit() throws Exception {
        List<NarFileKey> nars = List.of(cache(0, 1000, 10), cache(1, 1000, 30), cache(2, 1000, 20));
        Lru lru = new Lru(index, store, 1500, Clock.systemUTC(), metrics.lru(), evicted -> {});

        assertThat(lru.run()).isEqualTo(2);

        assertThat(store.exists(key(nars.get(0)))).isFalse();
        assertThat(store.exists(key(nars.get(2)))).isFalse();
        assertThat(store.exists(key(nars.get(1)))).isTrue();
        assertThat(index.stats()).isEqualTo(new Index.Stats(1, 1, 1000));
        assertThat(counter("ncps_lru_nar_files_evicted")).isEqualTo(2);
        assertThat(counter("ncps_lru_narinfos_evicted")).isEqualTo(2);
        assertThat(counter("ncps_lru_bytes_freed")).isEqualTo(2000);
        assertThat(counter("ncps_lru_cleanup_runs")).isEqualTo(1);
    }

    @Test
    void aCacheUnderTheLimitIsLeftAlone() throws Exception {
        NarFileKey nar = cache(0, 1000, 10);
        assertThat(new Lru(index, store, 5000, Clock.systemUTC(), metrics.lru(), evicted -> {}).run()).isZero();
        assertThat(store.exists(key(nar))).isTrue();
    }

    @Test
    void aListingCountsTowardTheLimitAndGoesWithItsNarInfo() throws Exception {
        NarFileKey oldest = cache(0, 1000, 10);
        cache(1, 1000, 30);
        cache(2, 1000, 20);
        String listing = "store/ls/x/xy/listing-of-0.ls";
        store.put(listing, new ByteArrayInputStream(new byte[600]));
        assertThat(index.putSideObject(hashPart(0), listing, 600)).isTrue();

        // 3000 bytes of NARs alone fit in 3100; with the listing they do not.
        assertThat(new Lru(index, store, 3100, Clock.systemUTC(), metrics.lru(), evicted -> {}).run()).isEqualTo(1);

        assertThat(store.exists(key(oldest))).isFalse();
        assertThat(store.exists(listing)).isFalse();
        assertThat(index.stats().narInfoCount()).isEqualTo(2);
    }

    private static String hashPart(int n) throws Exception {
        return NixBase32.encode(MessageDigest.getInstance("SHA-256")
                .digest(("path" + n).getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    }

    /** A narinfo and its NAR bytes, last used {@code accessedAt} seconds after the epoch. */
    private NarFileKey cache(int n, int size, long accessedAt) throws Exception {
        byte[] bytes = new byte[size];
        bytes[0] = (byte) n;
        Hash fileHash = Hash.of(HashAlgorithm.SHA256, MessageDigest.getInstance("SHA-256").digest(bytes));
        NarFileKey key = new NarFileKey(fileHash.nix32Digest(), Compression.XZ);
        Path file = dir.resolve("nar" + n);
        Files.write(file, bytes);
        store.put(key(key), file);
        String hashPart = hashPart(n);
        NarInfo narInfo = new NarInfo(StorePath.parseBaseName(hashPart + "-pkg"), "nar/" + key.narHash() + ".nar.xz",
                Compression.XZ, fileHash, size, fileHash, size * 2L, List.of(), null, null, List.of(), null);
        Instant at = Instant.ofEpochSecond(accessedAt);
        index.putNarInfo(new NarInfoEntry(hashPart, narInfo, "http://upstream/nar/x.nar.xz", at));
        index.putNarFile(new NarFileEntry(key, size, at));
        return key;
    }

    private static String key(NarFileKey nar) {
        return nar.storeKey();
    }

    private double counter(String name) {
        return metrics.registry().scrape().stream().filter(s -> s.getMetadata().getName().equals(name))
                .map(s -> ((CounterSnapshot) s).getDataPoints().getFirst().getValue()).findFirst().orElseThrow();
    }
}
