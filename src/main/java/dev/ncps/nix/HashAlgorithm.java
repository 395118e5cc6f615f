package dev.ncps.nix;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The hash algorithms Nix names in narinfo files and SRI strings. */
public enum HashAlgorithm {
    MD5("md5", 16), SHA1("sha1", 20), SHA256("sha256", 32), SHA512("sha512", 64);

    private final String nixName;
    private final int size;

    HashAlgorithm(String nixName, int size) {
        this.nixName = nixName;
        this.size = size;
    }

    public String nixName() { return nixName; }

    /** Digest size in bytes. */
    public int size() { return size; }

    public MessageDigest newDigest() {
        String jcaName = switch (this) {
            case MD5 -> "MD5";
            case SHA1 -> "SHA-1";
            case SHA256 -> "SHA-256";
            case SHA512 -> "SHA-512";
        };
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide these four.
            throw new IllegalStateException("JDK lacks " + jcaName, e);
        }
    }

    public static HashAlgorithm fromName(String name) throws NixParseException {
        for (HashAlgorithm algorithm : values()) {
            if (algorithm.nixName.equals(name)) return algorithm;
        }
        throw new NixParseException("unknown hash algorithm \"" + Text.excerpt(name)
                + "\" (allowed: md5, sha1, sha256, sha512)");
    }
}
