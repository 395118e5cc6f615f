package dev.ncps.nix;

/** The hash algorithms Nix names in narinfo files and SRI strings. */
public enum HashAlgorithm {
    MD5("md5", 16), SHA1("sha1", 20), SHA256("sha256", 32), SHA512("sha512", 64);
    HashAlgorithm(String nixName, int size) { throw new UnsupportedOperationException("TODO"); }
    public String nixName() { throw new UnsupportedOperationException("TODO"); }
    public int size() { throw new UnsupportedOperationException("TODO"); }
    public java.security.MessageDigest newDigest() { throw new UnsupportedOperationException("TODO"); }
    public static HashAlgorithm fromName(String name) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
}
