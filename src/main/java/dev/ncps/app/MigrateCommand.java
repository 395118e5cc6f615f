package dev.ncps.app;

import dev.ncps.cli.MigrateAction;
import dev.ncps.config.MigrateConfig;
import dev.ncps.index.MigrationReport;

import java.io.PrintStream;

/** {@code ncps migrate up [--dry-run]}: applies (or lists) pending schema migrations and says which. */
public final class MigrateCommand implements MigrateAction {
    private final PrintStream out;

    public MigrateCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public int run(MigrateConfig config) throws Exception {
        MigrationReport report = Backends.migrate(config.database().index().withMigrateOnOpen(false),
                config.database().url(), config.dryRun());
        out.println("already applied: " + (report.previouslyApplied().isEmpty() ? "none" : String.join(", ", report.previouslyApplied())));
        if (config.dryRun()) {
            out.println("would apply: " + (report.pending().isEmpty() ? "nothing" : String.join(", ", report.pending())));
        } else {
            out.println("applied now: " + (report.appliedNow().isEmpty() ? "nothing" : String.join(", ", report.appliedNow())));
        }
        return 0;
    }
}
