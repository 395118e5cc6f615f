package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.MaintenanceConfig;
import dev.ncps.index.Index;
import dev.ncps.lock.LockListener;
import dev.ncps.lock.Locks;
import dev.ncps.store.Store;

import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** {@code ncps fsck}: opens the cache serve uses (same flags, env and file) and runs {@link Fsck} on it. */
public final class FsckCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public FsckCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public int run(MaintenanceConfig config, Fsck.Settings settings) throws Exception {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Index index = Backends.openIndex(config.database());
            opened.add(index);
            Store store = Backends.openStore(config.storage());
            opened.add(store);
            Locks locks = Backends.openLocks(config.lock(), config.database(), LockListener.NONE, resource -> {
                if (resource instanceof AutoCloseable closeable) opened.add(closeable);
                return resource;
            });
            Fsck.Report report = new Fsck(index, store, locks, Clock.systemUTC(), settings, out, err, terminal).run();
            return report.clean() ? ExitCodes.OK : ExitCodes.PROBLEMS;
        } finally {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        }
    }
}
