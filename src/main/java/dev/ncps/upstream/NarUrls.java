package dev.ncps.upstream;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarInfo;

/** The NAR URL ncps serves for a narinfo, whatever dialect the upstream used. */
public final class NarUrls {

    private NarUrls() {}

    /**
     * {@code nar/<nix32 of FileHash>.nar<ext>}; for {@code Compression: none} without FileHash the NarHash is
     * the file hash. Fails for a compressed NAR without FileHash, which has no content-derived name.
     */
    public static String canonical(NarInfo narInfo) {
        Hash fileHash = narInfo.fileHash();
        if (fileHash == null && narInfo.compression() == Compression.NONE) {
            fileHash = narInfo.narHash();
        }
        if (fileHash == null) {
            throw new IllegalArgumentException("narinfo of " + narInfo.storePath() + " has Compression "
                    + narInfo.compression().nixName() + " but no FileHash: its NAR has no content-derived name");
        }
        return "nar/" + fileHash.nix32Digest() + ".nar" + narInfo.compression().extension();
    }
}
