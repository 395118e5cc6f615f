package dev.ncps.config;

import dev.ncps.cache.SigningSettings;
import dev.ncps.lock.LockBackendSettings;

/**
 * What the maintenance commands ({@code fsck}, {@code import-go}, {@code resign}) need: the same storage,
 * database, locks and signing settings as serve, read from the same flags, environment and config file,
 * so they act on exactly the cache serve uses.
 */
public record MaintenanceConfig(StorageConfig storage, DatabaseConfig database, LockBackendSettings lock, SigningSettings signing) {}
