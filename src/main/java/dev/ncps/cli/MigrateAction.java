package dev.ncps.cli;

import dev.ncps.config.MigrateConfig;

/** What {@code ncps migrate up} does with its validated configuration; the return value is the exit code. */
@FunctionalInterface
public interface MigrateAction {
    int run(MigrateConfig config) throws Exception;
}
