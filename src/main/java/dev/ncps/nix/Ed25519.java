package dev.ncps.nix;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The JDK's Ed25519 behind Nix's raw key bytes. Nix (libsodium) stores a 32-byte seed and a 32-byte
 * public key; the JDK wants them DER-wrapped, and for Ed25519 that wrapping is a fixed prefix.
 */
final class Ed25519 {
    static final int KEY_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519() {}

    static byte[] sign(byte[] seed, String message) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey(seed));
            signer.update(message.getBytes(StandardCharsets.UTF_8));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            // A 32-byte seed is always a valid Ed25519 private key, so this is a broken JDK.
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** False for anything that is not a valid signature, including keys or signatures that do not decode. */
    static boolean verify(byte[] publicKey, String message, byte[] signature) {
        if (signature.length != SIGNATURE_BYTES) return false;
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey))));
            verifier.update(message.getBytes(StandardCharsets.UTF_8));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey privateKey(byte[] seed) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] result = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, result, first.length, second.length);
        return result;
    }

    /** A {@code name:base64} key or signature split into its name and exactly {@code size} decoded bytes. */
    record Named(String name, byte[] bytes) {
        static Named parse(String text, int size, String what) throws NixParseException {
            String trimmed = text.strip();
            int colon = trimmed.indexOf(':');
            if (colon < 0) throw new NixParseException(what + " \"" + Text.excerpt(trimmed) + "\" is not name:base64");
            String name = trimmed.substring(0, colon);
            String problem = nameProblem(name);
            if (problem != null) throw new NixParseException(what + ": " + problem);
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(trimmed.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new NixParseException(what + " \"" + name + "\": key is not valid base64: " + e.getMessage());
            }
            if (bytes.length != size) {
                throw new NixParseException(what + " \"" + name + "\": key has " + bytes.length
                        + " bytes, expected " + size);
            }
            return new Named(name, bytes);
        }

        String toNixString() {
            return name + ":" + Base64.getEncoder().encodeToString(bytes);
        }
    }

    static String nameProblem(String name) {
        if (name.isEmpty()) return "key name is empty";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "key name \"" + Text.excerpt(name) + "\" contains " + NixBase32.printable(c)
                        + " (no colon, space or control character allowed)";
            }
        }
        return null;
    }
}
