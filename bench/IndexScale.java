import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexConfig;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.NarInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The index part of bench/scale.sh: builds a SQLite index of N paths through {@link Index} exactly as a
 * download writes them (narinfo row, then NAR file row), then measures narinfo reads from the database at
 * one and sixteen threads and an LRU run evicting 10 % while a writer stores new paths and a reader reads.
 *
 * <p>Usage: {@code java -cp <classpath> bench/IndexScale.java <db file> <paths> [reads,lru]}; the built database is
 * kept and reused when it already holds that many paths; the LRU phase runs on a copy. The phase {@code adopt} brings
 * an index built by the branch whose migration V3 was "cache totals" (main has that as V5) to main's schema, in place:
 * give it a copy. {@code hashes=K} prints the hashes of K random narinfos of the index, for the HTTP phase of scale.sh.
 */
public class IndexScale {
    private static final String NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";
    private static final long NAR_BYTES = 1_000_000;
    /** NAR files a small LRU run evicts: its time should not grow with the index. */
    private static final int SMALL_RUN = 250;

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path db = Path.of(args[0]);
        int paths = Integer.parseInt(args[1]);
        String phases = args.length > 2 ? args[2] : "reads,lru";
        if (phases.startsWith("hashes=")) {
            printHashes(db, Integer.parseInt(phases.substring("hashes=".length())));
            return;
        }
        if (phases.contains("adopt")) adopt(db);
        build(db, paths);
        if (phases.contains("reads")) {
            String[] known = knownHashes(db, 20_000);
            try (Index index = Index.open(config(db, ""))) {
                reads(index, known);
            }
        }
        if (!phases.contains("lru")) return;
        Path copy = db.resolveSibling(db.getFileName() + ".lru");
        Files.copy(db, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(Path.of(copy + "-wal"));
        Files.deleteIfExists(Path.of(copy + "-shm"));
        String[] known = knownHashes(copy, 20_000);
        try (Index index = Index.open(config(copy, ""))) {
            lru(index, paths, known);
        } finally {
            for (String suffix : List.of("", "-wal", "-shm")) Files.deleteIfExists(Path.of(copy + suffix));
        }
    }

    private static IndexConfig config(Path db, String query) {
        return new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:" + db + query, null, null,
                IndexConfig.DEFAULT_MAX_OPEN, IndexConfig.DEFAULT_MAX_IDLE, true);
    }

    /**
     * Drops what the cache-totals branch's V3 created and its history row, so Flyway applies main's V3 (pins) onwards,
     * V5 counting the totals again from the rows. Its V1 and V2 are main's, so their rows stay (Flyway validates
     * their checksums). Building 1M paths through the API takes about an hour; this takes seconds.
     */
    private static void adopt(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            String v3;
            try (ResultSet rows = s.executeQuery("SELECT description FROM flyway_schema_history WHERE version = '3'")) {
                v3 = rows.next() ? rows.getString(1) : null;
            }
            if (!"cache totals".equals(v3)) return;
            c.setAutoCommit(false);
            s.executeUpdate("DROP TABLE cache_totals");
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '3'");
            c.commit();
            System.out.println("adopted " + db + " (built with V3 cache totals) for main's migrations");
        }
    }

    /** Durability is off while building (the rows are the same; only the fsync per commit is skipped). */
    private static void build(Path db, int paths) throws Exception {
        try (Index index = Index.open(config(db, "?synchronous=OFF"))) {
            long have = index.stats().narInfoCount();
            if (have == paths) return;
            if (have > paths) throw new IllegalStateException(db + " holds " + have + " paths, more than " + paths);
            long started = System.nanoTime();
            for (int n = (int) have; n < paths; n++) store(index, n, Instant.now());
            System.out.printf("built %d paths in %.1f s%n", paths - have, (System.nanoTime() - started) / 1e9);
        }
    }

    private static void store(Index index, int n, Instant now) throws Exception {
        NarInfo info = narInfo(n);
        index.putNarInfo(new NarInfoEntry(hash("path", n), info, "https://cache.nixos.org", now));
        index.putNarFile(new NarFileEntry(new NarFileKey(hash("file", n, 52), Compression.ZSTD), NAR_BYTES, now));
    }

    static NarInfo narInfo(int n) throws Exception {
        StringBuilder refs = new StringBuilder();
        for (int r = 0; r < 8; r++) refs.append(' ').append(hash("dep", n * 8 + r)).append("-dep-").append(r);
        return NarInfo.parse("StorePath: /nix/store/" + hash("path", n) + "-pkg-" + n + "\n"
                + "URL: nar/" + hash("file", n, 52) + ".nar.zst\n"
                + "Compression: zstd\n"
                + "FileHash: sha256:" + hash("file", n, 52) + "\n"
                + "FileSize: " + NAR_BYTES + "\n"
                + "NarHash: sha256:" + hash("nar", n, 52) + "\n"
                + "NarSize: " + (NAR_BYTES * 3) + "\n"
                + "References:" + refs + "\n"
                + "Deriver: " + hash("drv", n) + "-pkg-" + n + ".drv\n"
                + "Sig: cache.nixos.org-1:" + "A".repeat(86) + "==\n"
                + "Sig: ncps-test-1:" + "B".repeat(86) + "==\n");
    }

    static String hash(String seed, int n) throws Exception {
        return hash(seed, n, 32);
    }

    /** A store-path hash part (32 characters), or with length 52 a sha256 in nix32. */
    static String hash(String seed, int n, int length) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest((seed + n).getBytes());
        if (length == 52) return Hash.of(HashAlgorithm.SHA256, digest).nix32Digest();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) s.append(NIX32.charAt((digest[i] & 0xff) % 32));
        return s.toString();
    }

    /**
     * Hashes of {@code count} random narinfos of the index, read from it by id: an index seeded from another build may
     * hold rows that are not {@code hash("path", n)} (the cache-totals branch copied rows with new hashes).
     */
    static String[] knownHashes(Path db, int count) throws Exception {
        String[] hashes = new String[count];
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             PreparedStatement byId = c.prepareStatement("SELECT hash FROM narinfos WHERE id = ?")) {
            long maxId;
            try (ResultSet rows = s.executeQuery("SELECT MAX(id) FROM narinfos")) {
                rows.next();
                maxId = rows.getLong(1);
            }
            for (int found = 0; found < count; ) {
                byId.setLong(1, 1 + ThreadLocalRandom.current().nextLong(maxId));
                try (ResultSet rows = byId.executeQuery()) {
                    if (rows.next()) hashes[found++] = rows.getString(1);
                }
            }
        }
        return hashes;
    }

    private static void printHashes(Path db, int count) throws Exception {
        System.out.print(String.join("\n", knownHashes(db, count)) + "\n");
    }

    /** {@code hashes}: random narinfos of the index. */
    private static void reads(Index index, String[] hashes) throws Exception {
        for (String h : Arrays.copyOf(hashes, 2_000)) index.narInfo(h).orElseThrow(); // warm-up
        long[] micros = new long[hashes.length];
        long started = System.nanoTime();
        for (int i = 0; i < hashes.length; i++) {
            long t = System.nanoTime();
            index.narInfo(hashes[i]).orElseThrow();
            micros[i] = (System.nanoTime() - t) / 1000;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(micros);
        System.out.printf("narinfo from index, c1: mean %.0f µs, p50 %d µs, p99 %d µs (%d reads)%n",
                seconds * 1e6 / hashes.length, micros[micros.length / 2], micros[micros.length * 99 / 100], hashes.length);
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        index.narInfo(hashes[ThreadLocalRandom.current().nextInt(hashes.length)]).orElseThrow();
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        long c16Start = System.nanoTime();
        Thread.sleep(5_000);
        stop.set(true);
        for (Thread thread : threads) thread.join();
        System.out.printf("narinfo from index, c16: %.0f reads/s%n", done.get() / ((System.nanoTime() - c16Start) / 1e9));
    }

    /** Evicts 10 % while a writer stores new paths and a reader reads random ones; reports the longest wait of each. */
    private static void lru(Index index, int paths, String[] known) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> writes = java.util.Collections.synchronizedList(new ArrayList<>());
        List<long[]> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong failures = new AtomicLong();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int n = paths; !stop.get(); n++) {
                long t = System.nanoTime();
                try {
                    store(index, n, Instant.now());
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
                writes.add(new long[] {t, System.nanoTime()});
            }
        });
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                long t = System.nanoTime();
                try {
                    index.narInfo(known[ThreadLocalRandom.current().nextInt(known.length)]);
                } catch (Exception e) {
                    failures.incrementAndGet();
                }
                reads.add(new long[] {t, System.nanoTime()});
                LockSupport.parkNanos(1_000_000);
            }
        });
        Thread.sleep(500);
        long statsStarted = System.nanoTime();
        long total = index.stats().totalBytes();
        long statsNanos = System.nanoTime() - statsStarted;
        long smallStarted = System.nanoTime();
        int smallEvicted = index.evict(total - SMALL_RUN * NAR_BYTES, hash -> false).narFiles().size();
        long smallNanos = System.nanoTime() - smallStarted;
        System.out.printf("cache totals read (what every LRU run and the store gauges start with): %.2f ms; "
                + "a small LRU run (%d NAR files evicted): %.3f s%n", statsNanos / 1e6, smallEvicted, smallNanos / 1e9);
        total = index.stats().totalBytes();
        long started = System.nanoTime();
        int evicted = index.evict(total - total / 10, hash -> false).narFiles().size();
        long ended = System.nanoTime();
        stop.set(true);
        writer.join();
        reader.join();
        long[] w = overlapping(writes, started, ended);
        long[] r = overlapping(reads, started, ended);
        System.out.printf("LRU run: %d NAR files evicted in %.2f s; meanwhile %d paths stored (a narinfo and its NAR file "
                        + "each): p50 %.0f ms, max %.0f ms, %d over 1 s; %d reads, max %.0f ms; %d failures%n",
                evicted, (ended - started) / 1e9, w.length, percentile(w, 50) / 1e6, percentile(w, 100) / 1e6,
                Arrays.stream(w).filter(x -> x > 1_000_000_000L).count(), r.length, percentile(r, 100) / 1e6, failures.get());
    }

    /** Durations of the operations that ran at some time during [from, to], sorted. */
    private static long[] overlapping(List<long[]> operations, long from, long to) {
        synchronized (operations) {
            return operations.stream().filter(o -> o[1] >= from && o[0] <= to).mapToLong(o -> o[1] - o[0]).sorted().toArray();
        }
    }

    private static double percentile(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }
}
