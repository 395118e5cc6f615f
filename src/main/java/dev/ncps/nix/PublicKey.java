package dev.ncps.nix;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;

/** An Ed25519 public key in Nix's {@code name:base64} format. */
public final class PublicKey {
    private final String name;
    private final byte[] key;

    PublicKey(String name, byte[] key) {
        this.name = name;
        this.key = key.clone();
    }

    public static PublicKey parse(String text) throws NixParseException {
        Ed25519.Named named = Ed25519.Named.parse(text, Ed25519.KEY_BYTES, "public key");
        return new PublicKey(named.name(), named.bytes());
    }

    public String name() { return name; }

    /** True when {@code signature} ({@code name:base64}) carries this key's name and verifies over the fingerprint. */
    public boolean verify(String fingerprint, String signature) {
        if (fingerprint == null || signature == null) return false;
        int colon = signature.indexOf(':');
        if (colon < 0 || !signature.substring(0, colon).equals(name)) return false;
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(signature.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return Ed25519.verify(key, fingerprint, bytes);
    }

    /** True when at least one of the narinfo's signatures verifies against one of the keys. */
    public static boolean verifiesAny(NarInfo narInfo, Collection<PublicKey> keys) {
        String fingerprint = narInfo.fingerprint();
        for (String signature : narInfo.signatures()) {
            for (PublicKey key : keys) {
                if (key.verify(fingerprint, signature)) return true;
            }
        }
        return false;
    }

    public String toNixString() { return new Ed25519.Named(name, key).toNixString(); }

    @Override public boolean equals(Object other) {
        return other instanceof PublicKey that && name.equals(that.name) && Arrays.equals(key, that.key);
    }

    @Override public int hashCode() { return 31 * name.hashCode() + Arrays.hashCode(key); }

    @Override public String toString() { return toNixString(); }
}
