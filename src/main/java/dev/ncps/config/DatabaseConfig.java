package dev.ncps.config;

/**
 * @param maxOpenConns most open connections, 0 for the dialect's default
 * @param maxIdleConns most idle connections, 0 for the dialect's default
 */
public record DatabaseConfig(DatabaseUrl url, int maxOpenConns, int maxIdleConns) {}
