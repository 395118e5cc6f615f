package dev.ncps.config;

import dev.ncps.index.IndexConfig;

/**
 * @param url   the configured URL (its dialect decides lock backends; error messages name it, masked)
 * @param index the index's own settings for it, pool sizes included
 */
public record DatabaseConfig(DatabaseUrl url, IndexConfig index) {}
