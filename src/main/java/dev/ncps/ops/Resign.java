package dev.ncps.ops;

import dev.ncps.cache.Signer;
import dev.ncps.index.Index;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.NarInfo;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs every stored narinfo again with the current signer: serve signs a narinfo when it stores it, so
 * after a key rotation the narinfos stored before carry only the previous key's signature. Upstream
 * signatures are kept; only ours are replaced. Batches of one transaction each; an interrupted run is
 * finished by running it again (narinfos already signed as wanted are left as they are).
 */
public final class Resign {
    private static final int BATCH = 500;

    private final Index index;
    private final Signer signer;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;

    public Resign(Index index, Signer signer, PrintStream out, PrintStream err, boolean terminal, Clock clock) {
        this.index = index;
        this.signer = signer;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    /** Returns how many narinfos got new signatures. */
    public long run() throws IndexException {
        long total = index.stats().narInfoCount();
        long changed = 0;
        try (Progress progress = new Progress("signing narinfos", "narinfos", total, err, terminal, clock)) {
            String cursor = null;
            while (true) {
                List<NarInfoEntry> page = index.narInfos(cursor, BATCH);
                if (page.isEmpty()) break;
                cursor = page.getLast().hash();
                List<NarInfoEntry> resigned = new ArrayList<>();
                for (NarInfoEntry entry : page) {
                    NarInfo signed = signer.sign(entry.narInfo());
                    if (!signed.signatures().equals(entry.narInfo().signatures())) {
                        resigned.add(new NarInfoEntry(entry.hash(), signed, entry.upstreamUrl(), entry.lastAccessed()));
                    }
                }
                if (!resigned.isEmpty()) index.putAll(List.of(), resigned);
                changed += resigned.size();
                progress.add(page.size(), 0);
            }
        }
        out.println("resign summary: " + total + " narinfos, " + changed + " signed again, " + (total - changed)
                + " already signed as configured");
        out.println("result: every narinfo carries the signatures of key " + signer.publicKey().name()
                + " (serve's in-memory copies follow within a minute)");
        return changed;
    }
}
