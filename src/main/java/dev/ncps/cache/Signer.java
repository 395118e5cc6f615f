package dev.ncps.cache;

import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.SecretKey;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds this cache's signature to narinfos. Upstream signatures are kept, so clients that trust the
 * upstream keep trusting the path; an older signature under our own key name is replaced, because the
 * key may have been rotated and a stale signature would only make clients fail verification noisily.
 *
 * <p>During a key rotation the previous key signs too, until a configured time: clients that trust only
 * the previous key keep verifying while they are given the new one. Its signatures are replaced the
 * same way, and dropped once that time has passed.
 */
public final class Signer {
    private final SecretKey key;
    private final boolean enabled;
    private final SecretKey previous;
    private final Instant previousUntil;
    private final Clock clock;

    public Signer(SecretKey key, boolean enabled) {
        this(key, enabled, null, Instant.MIN, Clock.systemUTC());
    }

    /** @param previous the key being rotated out (a different name), null when none */
    public Signer(SecretKey key, boolean enabled, SecretKey previous, Instant previousUntil, Clock clock) {
        if (previous != null && previous.name().equals(key.name())) {
            throw new IllegalArgumentException("the previous signing key has the same name as the current one ("
                    + key.name() + "); Nix trusts one key per name, so a rotation needs a new name, e.g. " + key.name() + "-2");
        }
        this.key = key;
        this.enabled = enabled;
        this.previous = previous;
        this.previousUntil = previousUntil;
        this.clock = clock;
    }

    public NarInfo sign(NarInfo narInfo) {
        return enabled ? narInfo.withSignatures(resigned(narInfo.signatures(), narInfo.fingerprint())) : narInfo;
    }

    /** Build trace entries are signed like narinfos, over their own fingerprint. */
    public BuildTrace sign(BuildTrace trace) {
        return enabled ? trace.withSignatures(resigned(trace.signatures(), trace.fingerprint())) : trace;
    }

    private List<String> resigned(List<String> existing, String fingerprint) {
        String ours = key.name() + ":";
        String previousOurs = previous == null ? null : previous.name() + ":";
        List<String> signatures = new ArrayList<>();
        for (String signature : existing) {
            if (!signature.startsWith(ours) && (previousOurs == null || !signature.startsWith(previousOurs))) {
                signatures.add(signature);
            }
        }
        signatures.add(key.sign(fingerprint));
        if (previous != null && clock.instant().isBefore(previousUntil)) {
            signatures.add(previous.sign(fingerprint));
        }
        return signatures;
    }

    public PublicKey publicKey() {
        return key.publicKey();
    }
}
