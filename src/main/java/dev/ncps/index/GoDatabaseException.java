package dev.ncps.index;

/**
 * The database belongs to the Go ncps (goose's {@code schema_migrations} table): ncps-java must not
 * migrate it, and its message says how to take the deployment over instead.
 */
public final class GoDatabaseException extends IndexException {
    public GoDatabaseException(String message) {
        super(message, null);
    }
}
