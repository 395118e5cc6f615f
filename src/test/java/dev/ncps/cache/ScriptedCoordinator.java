package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A cluster coordinator whose answers a test scripts: the claims it hands out in order (owner, follower,
 * refused), and the stream a follower gets from the owner. Once the script is used up every claim owns.
 */
final class ScriptedCoordinator implements DownloadCoordinator {
    private final Deque<Claim> claims = new ArrayDeque<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile Supplier<InputStream> peer = InputStream::nullInputStream;
    private volatile String narInfoRefusal;

    static Owner owner() {
        return new Owner(new Lease() {
            @Override public boolean renew() { return true; }
            @Override public void close() {}
        });
    }

    synchronized ScriptedCoordinator then(Claim claim) {
        claims.add(claim);
        return this;
    }

    /** What {@link #openPeer} returns. */
    ScriptedCoordinator relaying(Supplier<InputStream> stream) {
        peer = stream;
        return this;
    }

    /** Narinfo lookups are refused with this reason, as when the lock backend is down. */
    ScriptedCoordinator refusingNarInfo(String reason) {
        narInfoRefusal = reason;
        return this;
    }

    /** What the cache asked, in order: claim, openPeer, afterPeerFailure. */
    List<String> events() {
        return events;
    }

    @Override
    public synchronized Claim claim(NarFileKey key) {
        events.add("claim");
        return next();
    }

    @Override
    public synchronized Claim afterPeerFailure(NarFileKey key, Follower failed, IOException cause) {
        events.add("afterPeerFailure " + failed.holder());
        return next();
    }

    private Claim next() {
        Claim claim = claims.poll();
        return claim == null ? owner() : claim;
    }

    @Override
    public InputStream openPeer(Follower owner, NarFileKey key) {
        events.add("openPeer " + owner.holder());
        return peer.get();
    }

    @Override
    public <T> T narInfoOnce(String hash, Supplier<Optional<T>> stored, Supplier<T> fetch, Function<String, T> refused) {
        return narInfoRefusal != null ? refused.apply(narInfoRefusal) : fetch.get();
    }

    @Override
    public boolean exclusively(String name, Runnable task) {
        task.run();
        return true;
    }
}
