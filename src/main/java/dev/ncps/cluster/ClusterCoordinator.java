package dev.ncps.cluster;

import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.nix.NarFileKey;
import dev.ncps.lock.LockException;
import dev.ncps.lock.Locks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Download coordination across instances through a lease per NAR ({@code download:nar:<hash><ext>}).
 * The lease value is {@code <advertised URL>#<boot id>}: followers relay the owner's bytes from that
 * URL as they arrive, and when the owner cannot be reached (it died) a follower takes the lease over at
 * once instead of waiting for it to expire. The boot id tells a restarted instance's old, dead lease
 * from its own.
 *
 * <pre>
 *   client ─► B ──tryAcquire──► held by A ──► GET A/nar/x (X-Ncps-Peer) ──► relay to client
 *                                              │ A died
 *                                              └─► takeOver(lease of A) ──► B fetches upstream,
 *                                                  comparing the prefix it already relayed
 * </pre>
 */
public final class ClusterCoordinator implements DownloadCoordinator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterCoordinator.class);
    private static final int CLAIM_ATTEMPTS = 5;
    private static final Duration NARINFO_POLL = Duration.ofMillis(50);

    private final Locks locks;
    private final Duration ttl;
    private final Duration exclusiveTtl;
    private final Duration narInfoWait;
    private final String self;
    private final String selfUrl;
    private final PeerClient peers;
    private final Clock clock;
    private final CoordinationListener listener;

    /**
     * @param advertisedUrl how the other instances reach this one, e.g. {@code http://10.0.0.5:8501}
     * @param bootId        unique per process start
     */
    public ClusterCoordinator(Locks locks, ClusterSettings settings, String advertisedUrl, String bootId, String bearerToken,
                              Clock clock, CoordinationListener listener) {
        this.locks = locks;
        this.ttl = settings.downloadTtl();
        this.exclusiveTtl = settings.exclusiveTtl();
        this.narInfoWait = settings.pollTimeout().compareTo(ttl) > 0 ? settings.pollTimeout() : ttl;
        this.selfUrl = stripSlash(advertisedUrl);
        this.self = selfUrl + "#" + bootId;
        this.clock = clock;
        this.peers = new PeerClient(Duration.ofSeconds(2), Duration.ofSeconds(30), bearerToken, bootId);
        this.listener = listener;
    }

    @Override
    public Claim claim(NarFileKey key) {
        String lockKey = lockKey(key);
        try {
            for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
                Optional<Locks.Lease> lease = locks.tryAcquire(lockKey, ttl, self);
                if (lease.isPresent()) {
                    return new Owner(new RenewingLease(lease.get()));
                }
                Optional<String> holder = locks.holder(lockKey);
                if (holder.isEmpty()) {
                    continue;
                }
                if (isEarlierIncarnationOfSelf(holder.get())) {
                    Optional<Locks.Lease> taken = locks.takeOver(lockKey, holder.get(), ttl, self);
                    if (taken.isPresent()) {
                        listener.onHeldElsewhere(CoordinationListener.Outcome.TAKE_OVER);
                        return new Owner(new RenewingLease(taken.get()));
                    }
                    continue;
                }
                listener.onHeldElsewhere(CoordinationListener.Outcome.SERVED_BY_PEER);
                return new Follower(holder.get());
            }
            listener.onHeldElsewhere(CoordinationListener.Outcome.GIVE_UP);
            return new Refused("the download lock of " + key.narHash() + " keeps changing hands");
        } catch (LockException e) {
            log.warn("download lock {} unavailable: {}", lockKey, e.getMessage());
            return new Refused(e.getMessage());
        }
    }

    /**
     * Narinfo lookups are short, so a follower simply waits for the owner's lease to go away (polling
     * the index meanwhile) instead of relaying. Bounded by the longer of the lease TTL and the poll timeout: an owner that died mid-lookup
     * costs at most that, and in practice far less because its lease is not renewed.
     */
    @Override
    public <T> T narInfoOnce(String hash, Supplier<Optional<T>> stored, Supplier<T> fetch, Function<String, T> refused) {
        String lockKey = "download:narinfo:" + hash;
        long deadline = clock.millis() + narInfoWait.toMillis();
        try {
            while (clock.millis() < deadline) {
                Optional<Locks.Lease> lease = locks.tryAcquire(lockKey, ttl, self);
                if (lease.isPresent()) {
                    try (Locks.Lease held = lease.get()) {
                        Optional<T> already = stored.get();
                        return already.isPresent() ? already.get() : fetch.get();
                    }
                }
                Optional<T> already = stored.get();
                if (already.isPresent()) {
                    return already.get();
                }
                Thread.sleep(NARINFO_POLL.toMillis());
            }
        } catch (LockException e) {
            log.warn("narinfo lock {} unavailable: {}", lockKey, e.getMessage());
            return refused.apply(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return fetch.get();
    }

    /** One instance at a time, under the lock {@code <name>} with the LRU lease TTL; the others skip. */
    @Override
    public boolean exclusively(String name, Runnable task) {
        try {
            Optional<Locks.Lease> lease = locks.tryAcquire(name, exclusiveTtl, self);
            if (lease.isEmpty()) {
                return false;
            }
            try (Locks.Lease held = lease.get()) {
                task.run();
                return true;
            }
        } catch (LockException e) {
            log.warn("lock {} unavailable, skipping this run: {}", name, e.getMessage());
            return false;
        }
    }

    @Override
    public Claim afterPeerFailure(NarFileKey key, Follower failed, IOException cause) {
        try {
            Optional<Locks.Lease> taken = locks.takeOver(lockKey(key), failed.holder(), ttl, self);
            if (taken.isPresent()) {
                log.warn("took over the download of {} from {}: {}", key.narHash(), failed.holder(), cause.getMessage());
                listener.onHeldElsewhere(CoordinationListener.Outcome.TAKE_OVER);
                return new Owner(new RenewingLease(taken.get()));
            }
        } catch (LockException e) {
            return new Refused(e.getMessage());
        }
        return claim(key);
    }

    @Override
    public InputStream openPeer(Follower owner, NarFileKey key) throws IOException {
        String holder = owner.holder();
        int hash = holder.lastIndexOf('#');
        String base = hash < 0 ? holder : holder.substring(0, hash);
        return peers.open(URI.create(base + "/nar/" + key.narHash() + ".nar" + key.compression().extension()));
    }

    private boolean isEarlierIncarnationOfSelf(String holder) {
        return !holder.equals(self) && holder.startsWith(selfUrl + "#");
    }

    /** The download lease of a NAR; maintenance takes it too, so it never removes what a download is writing. */
    public static String lockKey(NarFileKey key) {
        return "download:nar:" + key.narHash() + key.compression().extension();
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public void close() {
        peers.close();
    }

    /** Renews at most every third of the TTL, however often the download reports progress. */
    private final class RenewingLease implements Lease {
        private final Locks.Lease lease;
        private long lastRenewal;

        RenewingLease(Locks.Lease lease) {
            this.lease = lease;
            this.lastRenewal = clock.millis();
        }

        @Override
        public boolean renew() {
            long now = clock.millis();
            if (now - lastRenewal < ttl.toMillis() / 3) {
                return true;
            }
            lastRenewal = now;
            try {
                boolean held = lease.renew();
                if (!held) {
                    log.warn("lost the download lease {}; finishing the download anyway", lease.key());
                }
                return held;
            } catch (LockException e) {
                log.warn("cannot renew the download lease {}: {}", lease.key(), e.getMessage());
                return false;
            }
        }

        @Override
        public void close() {
            lease.close();
        }
    }
}
