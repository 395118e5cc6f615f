package dev.ncps.config;

/** What {@code ncps migrate up} needs; {@code dryRun} reports without changing anything. */
public record MigrateConfig(DatabaseConfig database, boolean dryRun) {}
