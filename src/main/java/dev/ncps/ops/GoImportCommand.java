package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.config.MaintenanceConfig;
import dev.ncps.index.Index;
import dev.ncps.store.Store;

import java.io.PrintStream;
import java.time.Clock;

/**
 * {@code ncps import-go --go-database-url URL}: the storage and the new (ncps-java) database come from
 * the usual options, so the command names exactly what serve will use afterwards.
 */
public final class GoImportCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    public GoImportCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public int run(MaintenanceConfig config, DatabaseUrl goDatabase, boolean dryRun) throws Exception {
        if (goDatabase.jdbcUrl().equals(config.database().url().jdbcUrl())) {
            err.println("the Go database " + goDatabase + " is also the ncps-java database (--cache-database-url, "
                    + "which defaults to <storage>/db/db.sqlite like the Go ncps); import-go never writes to the Go "
                    + "database: give ncps-java a new one, e.g. --cache-database-url sqlite:/var/lib/ncps/db/ncps-java.sqlite");
            return ExitCodes.USAGE;
        }
        try (GoDatabase go = GoDatabase.open(goDatabase);
             Store store = Backends.openStore(config.storage());
             Index target = Backends.openIndex(config.database())) {
            new GoImport(go, store, GoImport.LegacyKeyFile.in(config.storage(), store), target, dryRun, out, err, terminal, Clock.systemUTC()).run();
            return ExitCodes.OK;
        } catch (GoDatabase.NotGoException e) {
            err.println(e.getMessage());
            return ExitCodes.PROBLEMS;
        }
    }
}
