package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Streams a NAR archive: validates its structure, hashes it, and optionally lists its entries. */
public final class NarReader {
    /** One entry of a NAR: its path inside the archive ("" for the root), type, size and flags. */
    public record Entry(String path, Type type, long size, boolean executable, String target) {}
    public enum Type { DIRECTORY, REGULAR, SYMLINK }
    /** What a full read found: the sha256 NarHash and NarSize of the bytes, and the entries when listed. */
    public record Summary(Hash narHash, long narSize, List<Entry> entries) {}

    private NarReader() {}
    /** Reads the whole (uncompressed) NAR, validating it; entries empty unless {@code listEntries}. */
    public static Summary read(InputStream nar, boolean listEntries) throws IOException { throw new UnsupportedOperationException("TODO"); }
}
