package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A NAR file compression as named in narinfo {@code Compression:} and NAR URL extensions. */
public enum Compression {
    NONE("none", ""), XZ("xz", ".xz"), ZSTD("zstd", ".zst"), BZIP2("bzip2", ".bz2"), BROTLI("br", ".br"),
    LZIP("lzip", ".lzip"), LZ4("lz4", ".lz4"), GZIP("gzip", ".gz");
    Compression(String nixName, String extension) { throw new UnsupportedOperationException("TODO"); }
    /** The name in narinfo files, e.g. {@code zstd}. */
    public String nixName() { throw new UnsupportedOperationException("TODO"); }
    /** The NAR URL extension after {@code .nar}, with its dot ({@code .zst}); empty for none. */
    public String extension() { throw new UnsupportedOperationException("TODO"); }
    /** A missing {@code Compression:} line means bzip2, as in Nix. */
    public static Compression fromNixName(String name) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** From a URL extension with or without its dot; empty means none. */
    public static Compression fromExtension(String extension) throws NixParseException { throw new UnsupportedOperationException("TODO"); }
    /** Whether this JVM can decompress (and compress) it; the others fail with "unsupported compression". */
    public boolean isSupported() { throw new UnsupportedOperationException("TODO"); }
    /** Streaming decoder; {@link NixParseException} on corrupt data where the codec can tell. */
    public InputStream decompress(InputStream compressed) throws IOException { throw new UnsupportedOperationException("TODO"); }
    /** Streaming encoder; closing the result finishes the frame and closes {@code sink}. */
    public OutputStream compress(OutputStream sink) throws IOException { throw new UnsupportedOperationException("TODO"); }
}
