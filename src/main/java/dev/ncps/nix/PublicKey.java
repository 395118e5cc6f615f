package dev.ncps.nix;

import java.util.Collection;

/** An Ed25519 public key in Nix's {@code name:base64} format. */
public final class PublicKey {
    public static PublicKey parse(String text) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    public String name() { throw new UnsupportedOperationException("TODO"); }
    /** True when {@code signature} ({@code name:base64}) carries this key's name and verifies over the fingerprint. */
    public boolean verify(String fingerprint, String signature) { throw new UnsupportedOperationException("TODO"); }
    /** True when at least one of the narinfo's signatures verifies against one of the keys. */
    public static boolean verifiesAny(NarInfo narInfo, Collection<PublicKey> keys) { throw new UnsupportedOperationException("TODO"); }
    public String toNixString() { throw new UnsupportedOperationException("TODO"); }
}
