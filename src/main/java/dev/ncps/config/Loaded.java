package dev.ncps.config;

import java.util.List;

/** A validated configuration plus what the command line sets up before using it. */
public record Loaded<T>(T config, LogLevel logLevel, List<String> warnings) {
    public Loaded {
        warnings = List.copyOf(warnings);
    }
}
