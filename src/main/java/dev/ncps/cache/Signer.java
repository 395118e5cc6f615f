package dev.ncps.cache;

import dev.ncps.nix.NarInfo;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.SecretKey;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds this cache's signature to narinfos. Upstream signatures are kept, so clients that trust the
 * upstream keep trusting the path; an older signature under our own key name is replaced, because the
 * key may have been rotated and a stale signature would only make clients fail verification noisily.
 */
public final class Signer {
    private final SecretKey key;
    private final boolean enabled;

    public Signer(SecretKey key, boolean enabled) {
        this.key = key;
        this.enabled = enabled;
    }

    public NarInfo sign(NarInfo narInfo) {
        if (!enabled) {
            return narInfo;
        }
        String ours = key.name() + ":";
        List<String> signatures = new ArrayList<>();
        for (String signature : narInfo.signatures()) {
            if (!signature.startsWith(ours)) {
                signatures.add(signature);
            }
        }
        signatures.add(key.sign(narInfo.fingerprint()));
        return narInfo.withSignatures(signatures);
    }

    public PublicKey publicKey() {
        return key.publicKey();
    }
}
