package dev.ncps.cli;

import dev.ncps.config.ServeConfig;

/** What {@code ncps serve} does with its validated configuration; the return value is the exit code. */
@FunctionalInterface
public interface ServeAction {
    int run(ServeConfig config) throws Exception;
}
