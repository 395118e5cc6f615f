package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides, for a NAR this instance is about to fetch, whether it fetches from upstream (it owns the
 * download cluster-wide) or relays the bytes another instance is fetching right now. A single instance
 * always owns; a cluster uses a lease per NAR whose value names the owner, so followers stream from
 * the owner as bytes arrive instead of waiting for the end (docs/design/architecture.md,
 * invariant 4).
 */
public interface DownloadCoordinator {
    /** Marks a request from another ncps instance relaying a download in progress there. */
    String PEER_HEADER = "X-Ncps-Peer";

    Claim claim(NarFileKey key);

    /** The owner failed to serve us: take its place if it is gone, or follow whoever replaced it. */
    Claim afterPeerFailure(NarFileKey key, Follower failed, IOException cause);

    /** The owner's bytes for this NAR, streamed as the owner receives them. */
    InputStream openPeer(Follower owner, NarFileKey key) throws IOException;

    /**
     * Runs {@code fetch} (an upstream narinfo lookup that stores its result) once across the cluster: if
     * another instance is already fetching this narinfo, waits until it is done and returns what it
     * stored ({@code stored}), fetching only if it stored nothing. When the lock backend is down (and
     * degraded mode is off) the answer is {@code refused} applied to the reason.
     */
    <T> T narInfoOnce(String hash, Supplier<Optional<T>> stored, Supplier<T> fetch, Function<String, T> refused);

    /**
     * Runs {@code task} if no other instance is running the task of this name (the LRU cleanup); returns
     * false when it was skipped because another instance holds the lock.
     */
    boolean exclusively(String name, Runnable task);

    sealed interface Claim {}

    /** This instance fetches from upstream; closing the lease in {@code finally} lets others take over. */
    record Owner(Lease lease) implements Claim {}

    /** Another instance is fetching it; {@code holder} is its lease value (its address and boot id). */
    record Follower(String holder) implements Claim {}

    /** The coordination backend failed and degraded mode is off: the request cannot be served now. */
    record Refused(String reason) implements Claim {}

    /** A held download lease, renewed while bytes arrive. */
    interface Lease extends AutoCloseable {
        /** False when the lease was lost; the download continues (identical bytes are harmless). */
        boolean renew();

        @Override
        void close();
    }

    /** One instance: every download is owned, no lease needed. */
    DownloadCoordinator SINGLE_INSTANCE = new DownloadCoordinator() {
        private final Lease none = new Lease() {
            @Override public boolean renew() { return true; }
            @Override public void close() {}
        };

        @Override public Claim claim(NarFileKey key) { return new Owner(none); }

        @Override public <T> T narInfoOnce(String hash, Supplier<Optional<T>> stored, Supplier<T> fetch, Function<String, T> refused) {
            return fetch.get();
        }

        @Override public boolean exclusively(String name, Runnable task) {
            task.run();
            return true;
        }

        @Override public Claim afterPeerFailure(NarFileKey key, Follower failed, IOException cause) { return new Owner(none); }

        @Override public InputStream openPeer(Follower owner, NarFileKey key) throws IOException {
            throw new IOException("a single instance has no peers");
        }
    };
}
