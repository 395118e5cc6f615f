package dev.ncps.config;

/**
 * What the maintenance commands ({@code fsck}) need: the same storage, database and locks as serve, read
 * from the same flags, environment and config file, so they act on exactly the cache serve uses.
 */
public record MaintenanceConfig(StorageConfig storage, DatabaseConfig database, LockConfig lock) {}
