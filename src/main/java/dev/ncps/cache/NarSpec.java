package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarCheck;
import dev.ncps.nix.NarInfo;

import java.net.URI;

/**
 * Everything needed to fetch one NAR from upstream and to decide whether the bytes are right: the
 * signed NarHash/NarSize, and FileHash/FileSize of the compressed file when the narinfo has them.
 */
record NarSpec(NarFileKey key, URI upstreamUri, Hash fileHash, long fileSize, Hash narHash, long narSize) {

    static NarSpec of(NarFileKey key, URI upstreamUri, NarInfo narInfo) {
        return new NarSpec(key, upstreamUri, narInfo.fileHash(), narInfo.fileSize(), narInfo.narHash(), narInfo.narSize());
    }

    /** What the bytes must match to be kept. */
    NarCheck check() {
        return new NarCheck(compression(), fileHash, fileSize, narHash, narSize);
    }

    Compression compression() {
        return key.compression();
    }

    /** The size of the object as served: FileSize, or NarSize when the NAR is not compressed. */
    long expectedSize() {
        if (fileSize >= 0) {
            return fileSize;
        }
        return compression() == Compression.NONE ? narSize : -1;
    }
}
