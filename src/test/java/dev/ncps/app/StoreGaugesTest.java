package dev.ncps.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreGaugesTest {
    @TempDir
    Path dir;

    /** A NAR stored now shows in a scrape a moment later, not after a refresh period. */
    @Test
    void aStoredNarShowsInTheNextScrapeOnceTheShortMemoExpired() throws Exception {
        Instant[] now = {Instant.parse("2026-12-01T10:00:00Z")};
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0]; }
        };
        IndexConfig config = new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + dir.resolve("db.sqlite"), null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
        try (Index index = Index.open(config, clock)) {
            Supplier<Index.Stats> stats = StoreGauges.fresh(index, clock);
            assertThat(stats.get().totalBytes()).isZero();

            index.putNarFile(new Index.NarFileEntry(
                    new dev.ncps.nix.NarFileKey("0c1rmc5wf1xbm5s0yv3d3v9dh3nsl3yqs3aj4v2d8g1l0f2ymyqv", Compression.XZ), 4096, now[0]));
            assertThat(stats.get().totalBytes()).as("within the memo").isZero();

            now[0] = now[0].plus(StoreGauges.MAX_AGE);
            assertThat(stats.get().totalBytes()).isEqualTo(4096);
            assertThat(stats.get().narFileCount()).isEqualTo(1);
        }
    }
}
