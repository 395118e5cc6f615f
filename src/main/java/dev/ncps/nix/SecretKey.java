package dev.ncps.nix;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.util.Arrays;
import java.util.Base64;

/** An Ed25519 signing key in Nix's {@code name:base64(seed ‖ public)} format. */
public final class SecretKey {
    private static final String SELF_TEST_MESSAGE = "ncps: does the public half match the seed?";

    private final String name;
    private final byte[] seed;
    private final byte[] publicBytes;
    private final PublicKey publicKey;

    private SecretKey(String name, byte[] seed, byte[] publicBytes) {
        this.name = name;
        this.seed = seed.clone();
        this.publicBytes = publicBytes.clone();
        this.publicKey = new PublicKey(name, publicBytes);
    }

    /** Also checks that the public half belongs to the seed, since Nix copies it into verifiers' configs. */
    public static SecretKey parse(String text) throws NixParseException {
        Ed25519.Named named = Ed25519.Named.parse(text, 2 * Ed25519.KEY_BYTES, "secret key");
        byte[] seed = Arrays.copyOfRange(named.bytes(), 0, Ed25519.KEY_BYTES);
        byte[] publicKey = Arrays.copyOfRange(named.bytes(), Ed25519.KEY_BYTES, 2 * Ed25519.KEY_BYTES);
        if (!Ed25519.verify(publicKey, SELF_TEST_MESSAGE, Ed25519.sign(seed, SELF_TEST_MESSAGE))) {
            throw new NixParseException("secret key \"" + named.name() + "\": its public half does not match its seed");
        }
        return new SecretKey(named.name(), seed, publicKey);
    }

    public static SecretKey generate(String name) {
        String problem = Ed25519.nameProblem(name);
        if (problem != null) throw new IllegalArgumentException(problem);
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes()
                    .orElseThrow(() -> new IllegalStateException("JDK Ed25519 key has no seed bytes"));
            byte[] encoded = ((EdECPublicKey) pair.getPublic()).getEncoded();
            // X.509 encoding of an Ed25519 key is a fixed prefix followed by the 32 raw bytes.
            byte[] publicKey = Arrays.copyOfRange(encoded, encoded.length - Ed25519.KEY_BYTES, encoded.length);
            return new SecretKey(name, seed, publicKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK has no Ed25519", e);
        }
    }

    public String name() { return name; }

    public PublicKey publicKey() { return publicKey; }

    /** A signature line value, {@code name:base64(sig)}. Ed25519 is deterministic: equal to what nix writes. */
    public String sign(String fingerprint) {
        return name + ":" + Base64.getEncoder().encodeToString(Ed25519.sign(seed, fingerprint));
    }

    /** The Nix text form; it holds the secret, so {@link #toString()} does not. */
    public String toNixString() {
        return new Ed25519.Named(name, Ed25519.concat(seed, publicBytes)).toNixString();
    }

    @Override public String toString() { return "SecretKey[" + name + "]"; }
}
