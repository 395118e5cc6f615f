package dev.ncps.nix;

/** The {@code nix-cache-info} file of a binary cache. */
public record CacheInfo(String storeDir, boolean wantMassQuery, int priority) {
    public static CacheInfo parse(String text) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    public String serialize() { throw new UnsupportedOperationException("TODO"); }
}
