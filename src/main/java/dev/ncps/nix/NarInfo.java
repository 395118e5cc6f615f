package dev.ncps.nix;

import java.util.List;

/**
 * A parsed {@code .narinfo}. Optional text fields are null when absent; {@code fileSize} is -1 and
 * {@code fileHash} null when absent. References and deriver are store path base names.
 * Parsing is as tolerant as Nix: unknown keys are ignored, a missing Compression is bzip2,
 * {@code Deriver: unknown-deriver} is dropped, hashes may be nix32 or base16.
 */
public record NarInfo(
        StorePath storePath, String url, Compression compression, Hash fileHash, long fileSize,
        Hash narHash, long narSize, List<String> references, String deriver, String system,
        List<String> signatures, String ca) {

    public NarInfo { throw new UnsupportedOperationException("TODO"); }
    public static NarInfo parse(String text) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** Nix's layout: StorePath, URL, Compression, FileHash, FileSize, NarHash, NarSize, References, Deriver, System, Sig..., CA. */
    public String serialize() { throw new UnsupportedOperationException("TODO"); }
    /** {@code 1;<storePath>;<narHash nix32>;<narSize>;<comma-separated absolute reference paths>}. */
    public String fingerprint() { throw new UnsupportedOperationException("TODO"); }
    public NarInfo withUrl(String newUrl, Compression newCompression, Hash newFileHash, long newFileSize) { throw new UnsupportedOperationException("TODO"); }
    public NarInfo withSignatures(List<String> newSignatures) { throw new UnsupportedOperationException("TODO"); }
}
