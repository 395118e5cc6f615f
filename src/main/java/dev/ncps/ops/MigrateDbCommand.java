package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.MigrationReport;

import java.io.PrintStream;
import java.time.Clock;

/**
 * {@code ncps migrate-db --from URL --to URL}: the source is only read (it is opened without migrating and
 * must already be at the current schema); the target gets the schema first, as serve would create it.
 */
public final class MigrateDbCommand {
    private static final int POOL = 4;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public MigrateDbCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public int run(DatabaseUrl from, DatabaseUrl to, MigrateDb.Settings settings) throws Exception {
        if (from.jdbcUrl().equals(to.jdbcUrl())) {
            err.println("--from and --to name the same database (" + from + ")");
            return ExitCodes.USAGE;
        }
        IndexConfig sourceConfig = from.index(POOL, 1).withMigrateOnOpen(false);
        MigrationReport schema = Backends.migrate(sourceConfig, from, true);
        if (!schema.pending().isEmpty()) {
            err.println("the source database " + from + " is not at the current schema (pending: "
                    + String.join(", ", schema.pending()) + "); run 'ncps migrate up' on it (or start serve on it once) first");
            return ExitCodes.PROBLEMS;
        }
        try (Index source = Backends.openIndex(sourceConfig, from);
             Index target = Backends.openIndex(to.index(POOL, 1), to)) {
            return new MigrateDb(source, target, settings, out, err, terminal, Clock.systemUTC()).run();
        }
    }
}
