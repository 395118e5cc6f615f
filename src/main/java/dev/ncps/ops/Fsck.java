package dev.ncps.ops;

import dev.ncps.nix.Sizes;
import dev.ncps.cluster.ClusterCoordinator;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.Index.NarInfoWithoutNar;
import dev.ncps.index.IndexException;
import dev.ncps.lock.LockException;
import dev.ncps.lock.Locks;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.Sizes;
import dev.ncps.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares the index with the storage and, with {@link Settings#repair()}, makes them agree again.
 *
 * <p>Finds index rows whose object is missing or has another size, objects no row refers to (leftovers of
 * a crash between the object and its row, objects copied in by other tools), narinfos that cannot be
 * served as they are, and with {@link Settings#verifyContent()} objects whose bytes do not hash to the
 * FileHash (or, decompressed, the NarHash) of their narinfo. Every suspect is looked at again before it
 * is reported, so work serve did meanwhile is not taken for damage.
 *
 * <p>Repairs keep the order of writes (rows before bytes on delete) and are each one small step, so an
 * interrupted run leaves nothing a second run cannot finish. It is safe beside running instances: an
 * object is removed only while fsck holds its download lease (a download in progress holds it, so that
 * object is skipped), and objects younger than {@link Settings#grace()} are left alone, because their row
 * may be on its way (the lease does not cover uploads, and a local lock backend is not shared between
 * processes).
 */
public final class Fsck {
    private static final Duration LEASE_TTL = Duration.ofMinutes(1);
    /** Index rows read (and, with --verify-content, objects verified) at a time. */
    static final int PAGE = 1000;

    private final Index index;
    private final Store store;
    private final Locks locks;
    private final Clock clock;
    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    /**
     * The lease value names no reachable instance: a serve instance that wants this NAR meanwhile fails to
     * relay from it and takes the lease over at once (compare-and-set), as it would from a dead owner.
     */
    private final String leaseValue = "http://127.0.0.1:1#fsck-" + UUID.randomUUID();

    /**
     * @param verifiedSince skip content verification of objects published within this period (0: verify all)
     * @param grace         objects younger than this are not touched
     */
    public record Settings(boolean repair, boolean verifyContent, Duration verifiedSince, Duration grace, int concurrency) {}

    public Fsck(Index index, Store store, Locks locks, Clock clock, Settings settings, PrintStream out, PrintStream err,
                boolean terminal) {
        this.index = index;
        this.store = store;
        this.locks = locks;
        this.clock = clock;
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** What is wrong; {@code subject} is the object key or narinfo hash. */
    public enum Kind {
        MISSING_OBJECT("index row whose object is missing", "row removed"),
        WRONG_SIZE("object whose size differs from its index row", "row and object removed"),
        CONTENT_MISMATCH("object whose bytes do not match its narinfo", "row and object removed"),
        ORPHAN_ADOPTED("object no row refers to, named by a narinfo", "adopted into the index"),
        ORPHAN("object no row or narinfo refers to", "object deleted"),
        NARINFO_UNLINKED("narinfo not linked to its stored NAR", "linked"),
        NARINFO_WITHOUT_NAR("narinfo whose NAR is neither stored nor fetchable from an upstream", "narinfo removed");

        private final String description;
        private final String repair;

        Kind(String description, String repair) {
            this.description = description;
            this.repair = repair;
        }

        public String description() { return description; }
    }

    public enum Outcome { FOUND, REPAIRED, BUSY }

    public record Finding(Kind kind, String subject, String detail, Outcome outcome) {}

    public record Report(long objects, long objectBytes, long rows, long verified, long leftAloneRecent, List<Finding> findings) {
        public long count(Kind kind) {
            return findings.stream().filter(f -> f.kind() == kind).count();
        }

        public long count(Kind kind, Outcome outcome) {
            return findings.stream().filter(f -> f.kind() == kind && f.outcome() == outcome).count();
        }

        public boolean clean() {
            return findings.stream().allMatch(f -> f.outcome() == Outcome.REPAIRED);
        }
    }

    public Report run() throws IOException, IndexException, InterruptedException {
        Map<String, Long> objects = listObjects();
        long objectBytes = objects.values().stream().mapToLong(Long::longValue).sum();
        long objectCount = objects.size();
        List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
        long[] verified = {0};
        long rows = checkRows(objects, findings, verified);
        long[] recent = {0};
        Set<NarFileKey> adoptable = checkOrphans(objects, findings, recent);
        checkNarInfos(adoptable, findings);
        Report report = new Report(objectCount, objectBytes, rows, verified[0], recent[0], List.copyOf(findings));
        printSummary(report);
        return report;
    }

    private Map<String, Long> listObjects() throws IOException {
        Map<String, Long> objects = new HashMap<>();
        try (Progress progress = progress("listing storage", "objects", -1)) {
            store.walk("store/nar/", info -> {
                objects.put(info.key(), info.size());
                progress.add(1, info.size());
            });
        }
        return objects;
    }

    /**
     * Rows against objects, a page of {@link #PAGE} rows at a time (with --verify-content, that page's intact
     * objects are verified before the next page is read); what matched is removed from {@code objects},
     * leaving the orphans.
     */
    private long checkRows(Map<String, Long> objects, List<Finding> findings, long[] verified)
            throws IOException, IndexException, InterruptedException {
        Instant verifiedStart = clock.instant().minus(settings.verifiedSince());
        long rows = 0;
        try (Progress progress = progress(settings.verifyContent() ? "checking and verifying index rows" : "checking index rows",
                "rows", index.stats().narFileCount());
             ExecutorService pool = settings.verifyContent() ? Executors.newFixedThreadPool(Math.max(1, settings.concurrency())) : null) {
            NarFileKey after = null;
            for (List<NarFileEntry> page; !(page = index.narFiles(after, PAGE)).isEmpty(); after = page.getLast().key()) {
                List<NarFileEntry> intact = new ArrayList<>();
                for (NarFileEntry row : page) {
                    rows++;
                    Long size = objects.remove(row.key().storeKey());
                    progress.add(1, size == null ? 0 : size);
                    checkRow(row, size, findings).ifPresent(intact::add);
                }
                if (pool != null) verified[0] += verify(pool, intact, verifiedStart, findings);
            }
        }
        return rows;
    }

    /** The row as it is now when its object is intact; else reports (and repairs) what is wrong. */
    private Optional<NarFileEntry> checkRow(NarFileEntry row, Long size, List<Finding> findings) throws IOException, IndexException {
        if (size != null && size == row.fileSize()) return Optional.of(row);
        String key = row.key().storeKey();
        // Look again: serve may have written or evicted this NAR since the listing.
        Optional<NarFileEntry> now = index.narFile(row.key().narHash(), row.key().compression());
        if (now.isEmpty()) return Optional.empty();
        Optional<Store.Blob> blob = store.get(key);
        if (blob.isEmpty()) {
            findings.add(repair(Kind.MISSING_OBJECT, key, "index row of " + now.get().fileSize() + " bytes", row.key(),
                    () -> index.deleteNarFile(row.key().narHash(), row.key().compression())));
            return Optional.empty();
        }
        if (blob.get().size() != now.get().fileSize()) {
            findings.add(repair(Kind.WRONG_SIZE, key, "object has " + blob.get().size() + " bytes, index row says "
                    + now.get().fileSize(), row.key(), () -> removeRowAndObject(row.key())));
            return Optional.empty();
        }
        return now;
    }

    private Set<NarFileKey> checkOrphans(Map<String, Long> objects, List<Finding> findings, long[] recent)
            throws IOException, IndexException {
        Set<NarFileKey> adoptable = new HashSet<>();
        Instant graceStart = clock.instant().minus(settings.grace());
        try (Progress progress = progress("checking unindexed objects", "objects", objects.size())) {
            for (Map.Entry<String, Long> object : objects.entrySet()) {
                String key = object.getKey();
                long size = object.getValue();
                progress.add(1, size);
                Optional<Instant> modified = store.lastModified(key);
                if (modified.isEmpty()) continue; // removed since the listing
                if (modified.get().isAfter(graceStart)) {
                    recent[0]++;
                    continue;
                }
                Optional<NarFileKey> narKey = NarFileKey.ofStoreKey(key);
                if (narKey.isPresent() && index.narFile(narKey.get().narHash(), narKey.get().compression()).isPresent()) {
                    continue; // indexed since the listing
                }
                Optional<NarInfoEntry> owner = narKey.isEmpty() ? Optional.empty() : index.narInfoForNarFile(narKey.get());
                Optional<String> unfit = owner.isEmpty() ? Optional.of("no narinfo names it")
                        : unfit(owner.get().narInfo(), narKey.get(), key, size);
                if (unfit.isEmpty()) {
                    NarFileKey adopt = narKey.get();
                    adoptable.add(adopt);
                    findings.add(repair(Kind.ORPHAN_ADOPTED, key, size + " bytes, narinfo " + owner.get().hash(), adopt,
                            () -> index.putNarFile(new NarFileEntry(adopt, size, clock.instant()))));
                } else {
                    findings.add(repair(Kind.ORPHAN, key, size + " bytes, " + unfit.get(), narKey.orElse(null),
                            () -> deleteUnindexed(key, narKey)));
                }
            }
        }
        return adoptable;
    }

    /** Why an unindexed object cannot be adopted for its narinfo, or empty when it can. */
    private Optional<String> unfit(NarInfo narInfo, NarFileKey narKey, String key, long size) throws IOException {
        if (narInfo.fileSize() >= 0 && narInfo.compression() == narKey.compression() && narInfo.fileSize() != size) {
            return Optional.of("narinfo says FileSize " + narInfo.fileSize());
        }
        if (settings.verifyContent()) {
            return contentProblem(narInfo, narKey, key);
        }
        return Optional.empty();
    }

    private long verify(ExecutorService pool, List<NarFileEntry> rows, Instant verifiedStart, List<Finding> findings)
            throws InterruptedException, IOException {
        java.util.concurrent.atomic.AtomicLong verified = new java.util.concurrent.atomic.AtomicLong();
        List<Future<?>> work = new ArrayList<>();
        for (NarFileEntry row : rows) {
            work.add(pool.submit(() -> {
                if (verifyOne(row, verifiedStart, findings)) verified.incrementAndGet();
                return null;
            }));
        }
        for (Future<?> future : work) {
            try {
                future.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("content verification failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return verified.get();
    }

    /** False when the object was not verified: too recent for --verified-since, or no narinfo to compare with. */
    private boolean verifyOne(NarFileEntry row, Instant verifiedStart, List<Finding> findings) throws IOException, IndexException {
        String key = row.key().storeKey();
        if (settings.verifiedSince().isPositive()) {
            Optional<Instant> modified = store.lastModified(key);
            if (modified.isPresent() && modified.get().isAfter(verifiedStart)) return false;
        }
        Optional<NarInfoEntry> owner = index.narInfoForNarFile(row.key());
        if (owner.isEmpty()) return false;
        Optional<String> problem = contentProblem(owner.get().narInfo(), row.key(), key);
        if (problem.isPresent()) {
            findings.add(repair(Kind.CONTENT_MISMATCH, key, problem.get(), row.key(), () -> removeRowAndObject(row.key())));
        }
        return true;
    }

    /**
     * FileHash when the narinfo describes these very bytes (same compression), else the NarHash and NarSize
     * of the decompressed archive, which the narinfo's signature covers.
     */
    private Optional<String> contentProblem(NarInfo narInfo, NarFileKey narKey, String key) throws IOException {
        Optional<Store.Blob> blob = store.get(key);
        if (blob.isEmpty()) return Optional.empty();
        boolean fileHash = narInfo.fileHash() != null && narInfo.compression() == narKey.compression();
        var expected = fileHash ? narInfo.fileHash() : narInfo.narHash();
        var digest = expected.algorithm().newDigest();
        long size = 0;
        try (InputStream raw = blob.get().open(0);
             InputStream in = fileHash ? raw : narKey.compression().decompress(raw)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                size += n;
            }
        } catch (NixParseException e) {
            return Optional.of("cannot be decompressed as " + narKey.compression().nixName() + ": " + e.getMessage());
        }
        if (!fileHash && size != narInfo.narSize()) {
            return Optional.of("decompressed size " + size + ", NarSize " + narInfo.narSize());
        }
        var actual = dev.ncps.nix.Hash.of(expected.algorithm(), digest.digest());
        return actual.equals(expected) ? Optional.empty()
                : Optional.of((fileHash ? "FileHash " : "NarHash ") + expected + ", bytes hash to " + actual);
    }

    private void checkNarInfos(Set<NarFileKey> adoptable, List<Finding> findings) throws IndexException, IOException {
        for (NarInfoWithoutNar narInfo : index.narInfosWithoutNar()) {
            if (narInfo.narFileStored()) {
                findings.add(repair(Kind.NARINFO_UNLINKED, narInfo.hash(), "NAR " + narInfo.narFile().storeKey(), null, () -> {
                    Optional<NarInfoEntry> entry = index.narInfo(narInfo.hash());
                    if (entry.isPresent()) index.putNarInfo(entry.get()); // storing it again links it
                }));
            } else if (!adoptable.contains(narInfo.narFile())) {
                findings.add(repair(Kind.NARINFO_WITHOUT_NAR, narInfo.hash(), "NAR " + narInfo.narFile().storeKey()
                        + " is not stored and the narinfo has no upstream URL", null, () -> index.deleteNarInfo(narInfo.hash())));
            }
        }
    }

    private void removeRowAndObject(NarFileKey narKey) throws IOException, IndexException {
        index.deleteNarFile(narKey.narHash(), narKey.compression());
        store.delete(narKey.storeKey());
    }

    private void deleteUnindexed(String key, Optional<NarFileKey> narKey) throws IOException, IndexException {
        if (narKey.isPresent() && index.narFile(narKey.get().narHash(), narKey.get().compression()).isPresent()) {
            return; // indexed meanwhile: no longer an orphan
        }
        store.delete(key);
    }

    @FunctionalInterface
    private interface Step {
        void run() throws IOException, IndexException;
    }

    /** Reports, and with --repair applies, one fix under the NAR's download lease (when it names a NAR). */
    private Finding repair(Kind kind, String subject, String detail, NarFileKey lockFor, Step step)
            throws IOException, IndexException {
        if (!settings.repair()) {
            return print(new Finding(kind, subject, detail, Outcome.FOUND));
        }
        if (lockFor == null) {
            step.run();
            return print(new Finding(kind, subject, detail, Outcome.REPAIRED));
        }
        Optional<Locks.Lease> lease;
        try {
            lease = locks.tryAcquire(ClusterCoordinator.lockKey(lockFor), LEASE_TTL, leaseValue);
        } catch (LockException e) {
            throw new IOException("cannot take the download lock of " + subject + ": " + e.getMessage(), e);
        }
        if (lease.isEmpty()) {
            return print(new Finding(kind, subject, detail + "; skipped: a download holds it, run fsck again later", Outcome.BUSY));
        }
        try (Locks.Lease held = lease.get()) {
            step.run();
        }
        return print(new Finding(kind, subject, detail, Outcome.REPAIRED));
    }

    private Finding print(Finding finding) {
        String result = finding.outcome() == Outcome.REPAIRED ? " -> " + finding.kind().repair : "";
        synchronized (out) {
            out.println(finding.kind().description + ": " + finding.subject() + " (" + finding.detail() + ")" + result);
        }
        return finding;
    }

    private void printSummary(Report report) {
        out.println();
        out.println("fsck summary: " + report.objects() + " objects (" + Sizes.human(report.objectBytes()) + "), "
                + report.rows() + " index rows" + (settings.verifyContent() ? ", " + report.verified() + " contents verified" : ""));
        for (Kind kind : Kind.values()) {
            long found = report.count(kind);
            if (found == 0) continue;
            long repaired = report.count(kind, Outcome.REPAIRED);
            long busy = report.count(kind, Outcome.BUSY);
            out.println(String.format("  %-70s %6d%s", kind.description, found,
                    (repaired > 0 ? ", " + repaired + " " + kind.repair : "") + (busy > 0 ? ", " + busy + " busy" : "")));
        }
        if (report.leftAloneRecent() > 0) {
            out.println("  left alone: " + report.leftAloneRecent() + " unindexed objects younger than "
                    + settings.grace().toString().substring(2).toLowerCase() + " (a download or upload may be finishing)");
        }
        long open = report.findings().stream().filter(f -> f.outcome() != Outcome.REPAIRED).count();
        if (report.findings().isEmpty()) {
            out.println("result: clean");
        } else if (open == 0) {
            out.println("result: " + report.findings().size() + " problems found, all repaired");
        } else {
            out.println("result: " + report.findings().size() + " problems found, " + open + " not repaired"
                    + (settings.repair() ? "" : " (run with --repair to fix them)"));
        }
    }

    private Progress progress(String phase, String unit, long total) {
        return new Progress(phase, unit, total, err, terminal, clock);
    }
}
