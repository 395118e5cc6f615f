package dev.ncps.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

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
        return replaceIfHeld(key, token, now, old -> new Entry(token, old.value(), now.plus(ttl)));
    }

    @Override
    public boolean delete(String key, String token) {
        return replaceIfHeld(key, token, clock.instant(), old -> null);
    }

    /**
     * Replaces the lease of {@code key} by {@code change} (null removes it) if it is live at {@code now} and
     * held under {@code token}; an expired lease is dropped on the way. True if the change was made.
     */
    private boolean replaceIfHeld(String key, String token, Instant now, UnaryOperator<Entry> change) {
        AtomicBoolean changed = new AtomicBoolean();
        leases.computeIfPresent(key, (k, old) -> {
            if (!old.liveAt(now)) {
                return null;
            }
            if (!old.token().equals(token)) {
                return old;
            }
            changed.set(true);
            return change.apply(old);
        });
        return changed.get();
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
