package dev.ncps.lock;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The {@code cache.lock.backend} values. */
public enum LockBackend {
    /** In-process leases: one instance only. The default. */
    LOCAL,
    /** Redis ({@code cache.redis.*}), as in the Go ncps. */
    REDIS,
    /** A table in the PostgreSQL database of {@code cache.database-url}: our extension. */
    POSTGRES;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LockBackend parse(String value) {
        for (LockBackend backend : values()) {
            if (backend.configName().equals(value)) {
                return backend;
            }
        }
        throw new IllegalArgumentException("cache.lock.backend: '" + value + "' is not allowed; use one of "
                + Arrays.stream(values()).map(LockBackend::configName).collect(Collectors.joining(", ")));
    }
}
