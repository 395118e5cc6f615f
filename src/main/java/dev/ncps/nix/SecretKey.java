package dev.ncps.nix;

/** An Ed25519 signing key in Nix's {@code name:base64(seed ‖ public)} format. */
public final class SecretKey {
    public static SecretKey parse(String text) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    public static SecretKey generate(String name) { throw new UnsupportedOperationException("TODO"); }
    public String name() { throw new UnsupportedOperationException("TODO"); }
    public PublicKey publicKey() { throw new UnsupportedOperationException("TODO"); }
    /** A signature line value, {@code name:base64(sig)}. Ed25519 is deterministic: equal to what nix writes. */
    public String sign(String fingerprint) { throw new UnsupportedOperationException("TODO"); }
    /** The Nix text form; it holds the secret, so {@link #toString()} does not. */
    public String toNixString() { throw new UnsupportedOperationException("TODO"); }
}
