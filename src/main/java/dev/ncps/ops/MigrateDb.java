package dev.ncps.ops;

import dev.ncps.nix.Sizes;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.Sizes;
import dev.ncps.nix.BuildTrace;

import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Copies a whole index (config, NAR file rows, narinfos with their references, signatures and access
 * times) into another database, of the same or another engine, then proves the copy: equal counts and
 * an equal checksum of the content read back from both sides.
 *
 * <p>Narinfos are copied in hash order in batches of one transaction each, so an interrupted copy holds
 * complete batches only and every narinfo up to the last hash it holds; {@code resume} skips a batch
 * whose last narinfo is already there. NAR file rows (no children) are copied again on a resume, which
 * is idempotent.
 */
public final class MigrateDb {
    private static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(256);

    private final Index source;
    private final Index target;
    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;

    public record Settings(int batchSize, boolean resume) {}

    /** The content of an index, independent of the engine and of the order rows are read in. */
    public record Summary(long narInfos, long narFiles, long narFileBytes, int configEntries, String checksum) {}

    public MigrateDb(Index source, Index target, Settings settings, PrintStream out, PrintStream err, boolean terminal,
                     Clock clock) {
        this.source = source;
        this.target = target;
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    public int run() throws IndexException {
        Index.Stats existing = target.stats();
        if ((existing.narInfoCount() > 0 || existing.narFileCount() > 0) && !settings.resume()) {
            err.println("the target already holds " + existing.narInfoCount() + " narinfos and " + existing.narFileCount()
                    + " NAR files; nothing was copied. Use an empty database, or --resume to continue an interrupted copy into it.");
            return ExitCodes.PROBLEMS;
        }
        Map<String, String> config = source.configEntries();
        for (Map.Entry<String, String> entry : config.entrySet()) {
            target.configPut(entry.getKey(), entry.getValue());
        }
        Index.Stats stats = source.stats();
        copyNarFiles(stats.narFileCount());
        long skipped = copyNarInfos(stats.narInfoCount());
        // Few and small next to narinfos; copied again on a resumed copy (both writes replace).
        for (BuildTrace trace : source.buildTraces()) {
            target.putBuildTrace(trace);
        }
        for (Index.SideObject side : source.sideObjects()) {
            target.putSideObject(side.narInfoHash(), side.key(), side.size());
        }

        Summary from = summary(source);
        Summary to = summary(target);
        out.println("migrate-db summary: " + stats.narInfoCount() + " narinfos (" + skipped + " already there), "
                + stats.narFileCount() + " NAR files (" + Sizes.human(stats.totalBytes()) + "), " + config.size() + " config entries");
        out.println("  source: " + describe(from));
        out.println("  target: " + describe(to));
        if (from.equals(to)) {
            out.println("result: copied and verified, the target holds exactly what the source holds");
            return ExitCodes.OK;
        }
        out.println("result: the target differs from the source (was the source in use during the copy, or did the "
                + "target hold other rows?); run again with --resume after stopping serve");
        return ExitCodes.PROBLEMS;
    }

    /** Page by page (one page in memory); an upsert per row, so a resumed copy rewrites what it already had. */
    private void copyNarFiles(long total) throws IndexException {
        try (Progress progress = new Progress("copying NAR file rows", "rows", total, err, terminal, clock)) {
            NarFileKey after = null;
            for (List<NarFileEntry> batch; !(batch = source.narFiles(after, settings.batchSize())).isEmpty();
                 after = batch.getLast().key()) {
                target.putAll(batch, List.of());
                progress.add(batch.size(), batch.stream().mapToLong(NarFileEntry::fileSize).sum());
            }
        }
    }

    /** Returns how many narinfos a resumed copy found already copied. */
    private long copyNarInfos(long total) throws IndexException {
        long skipped = 0;
        try (Progress progress = new Progress("copying narinfos", "narinfos", total, err, terminal, clock)) {
            String cursor = null;
            while (true) {
                List<NarInfoEntry> batch = source.narInfos(cursor, settings.batchSize());
                if (batch.isEmpty()) break;
                cursor = batch.getLast().hash();
                if (settings.resume() && target.narInfo(cursor).isPresent()) {
                    skipped += batch.size();
                } else {
                    target.putAll(List.of(), batch);
                }
                progress.add(batch.size(), 0);
            }
        }
        return skipped;
    }

    /** Counts and an order-independent checksum: the sum, modulo 2^256, of a SHA-256 per row. */
    Summary summary(Index index) throws IndexException {
        BigInteger sum = BigInteger.ZERO;
        Map<String, String> config = index.configEntries();
        for (Map.Entry<String, String> entry : config.entrySet()) {
            sum = sum.add(digest("config", entry.getKey(), entry.getValue()));
        }
        long narFiles = 0;
        long bytes = 0;
        NarFileKey after = null;
        for (List<NarFileEntry> page; !(page = index.narFiles(after, settings.batchSize())).isEmpty(); after = page.getLast().key()) {
            for (NarFileEntry row : page) {
                narFiles++;
                bytes += row.fileSize();
                sum = sum.add(digest("nar_file", row.key().narHash(), row.key().compression().nixName(),
                        Long.toString(row.fileSize()), instant(row.lastAccessed())));
            }
        }
        long narInfos = 0;
        String cursor = null;
        while (true) {
            List<NarInfoEntry> page = index.narInfos(cursor, settings.batchSize());
            if (page.isEmpty()) break;
            for (NarInfoEntry entry : page) {
                narInfos++;
                sum = sum.add(digest("narinfo", entry.hash(), entry.narInfo().serialize(), String.valueOf(entry.upstreamUrl()),
                        instant(entry.lastAccessed())));
            }
            cursor = page.getLast().hash();
        }
        for (BuildTrace trace : index.buildTraces()) {
            sum = sum.add(digest("build_trace", trace.drvPath().baseName(), trace.outputName(), trace.outPath().baseName(),
                    String.join("\n", trace.signatures())));
        }
        for (Index.SideObject side : index.sideObjects()) {
            sum = sum.add(digest("side_object", side.narInfoHash(), side.key(), Long.toString(side.size())));
        }
        return new Summary(narInfos, narFiles, bytes, config.size(), String.format("%064x", sum.mod(MODULUS)));
    }

    private static String instant(Instant instant) {
        return instant == null ? "" : instant.truncatedTo(ChronoUnit.MICROS).toString();
    }

    private static BigInteger digest(String... fields) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String field : fields) {
                sha.update(field.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return new BigInteger(1, sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String describe(Summary s) {
        return s.narInfos() + " narinfos, " + s.narFiles() + " NAR files (" + Sizes.human(s.narFileBytes()) + "), "
                + s.configEntries() + " config entries, checksum " + s.checksum().substring(0, 16);
    }
}
