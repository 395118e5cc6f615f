package dev.ncps.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leases in a map of this process. Each operation is one atomic {@code compute} on the key, so the
 * semantics equal the Redis scripts: check and write happen together.
 */
final class LocalLeaseStore implements LeaseStore {
    private record Entry(String token, String value, Instant expiresAt) {
        boolean liveAt(Instant now) {
            return now.isBefore(expiresAt);
        }
    }

    private final ConcurrentMap<String, Entry> leases = new ConcurrentHashMap<>();
    private final Clock clock;

    LocalLeaseStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean insert(String key, String token, String value, Duration ttl) {
        Instant now = clock.instant();
        Entry fresh = new Entry(token, value, now.plus(ttl));
        return leases.compute(key, (k, old) -> old != null && old.liveAt(now) ? old : fresh) == fresh;
    }

    @Override
    public boolean extend(String key, String token, Duration ttl) {
        Instant now = clock.instant();
        AtomicBoolean extended = new AtomicBoolean();
        leases.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null;
            }
            if (!old.token().equals(token)) {
                return old;
            }
            extended.set(true);
            return new Entry(token, old.value(), now.plus(ttl));
        });
        return extended.get();
    }

    @Override
    public boolean delete(String key, String token) {
        Instant now = clock.instant();
        AtomicBoolean deleted = new AtomicBoolean();
        leases.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null;
            }
            if (!old.token().equals(token)) {
                return old;
            }
            deleted.set(true);
            return null;
        });
        return deleted.get();
    }

    @Override
    public Optional<String> value(String key) {
        Instant now = clock.instant();
        // Dropping an expired entry here keeps the map from growing with leases nobody released.
        Entry entry = leases.computeIfPresent(key, (k, old) -> old.liveAt(now) ? old : null);
        return Optional.ofNullable(entry).map(Entry::value);
    }

    @Override
    public boolean replace(String key, String deadValue, String token, String value, Duration ttl) {
        Instant now = clock.instant();
        Entry fresh = new Entry(token, value, now.plus(ttl));
        Entry result = leases.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null;
            }
            return old.value().equals(deadValue) ? fresh : old;
        });
        return result == fresh;
    }

    @Override
    public String metricsMode() {
        return "local";
    }

    @Override
    public void close() {
        leases.clear();
    }
}
