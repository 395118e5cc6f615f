package dev.ncps.index;

import java.util.List;

/**
 * Schema versions: applied before this run, applied by it, and still pending afterwards (for a dry run,
 * those that a real run would apply).
 */
public record MigrationReport(List<String> previouslyApplied, List<String> appliedNow, List<String> pending) {
    public MigrationReport {
        previouslyApplied = List.copyOf(previouslyApplied);
        appliedNow = List.copyOf(appliedNow);
        pending = List.copyOf(pending);
    }
}
