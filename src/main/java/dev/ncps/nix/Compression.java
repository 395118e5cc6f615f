package dev.ncps.nix;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.aayushatharva.brotli4j.encoder.BrotliOutputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.BlockLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * A NAR file compression as named in narinfo {@code Compression:} and NAR URL extensions.
 *
 * <p>Encoder levels favour speed, since a proxy compresses on the fly: xz preset 6 (Nix's default), zstd
 * 3, brotli quality 5, the others their library defaults (lz4 encoding is slow, see below). lzip has no maintained Java implementation, so
 * it is recognised by name but neither decoded nor encoded.
 */
public enum Compression {
    NONE("none", ""), XZ("xz", ".xz"), ZSTD("zstd", ".zst"), BZIP2("bzip2", ".bz2"), BROTLI("br", ".br"),
    LZIP("lzip", ".lzip"), LZ4("lz4", ".lz4"), GZIP("gzip", ".gz");

    /** xz dictionaries of presets up to 9 (64 MiB) fit; a hostile header asking for more is refused, not allocated. */
    private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;
    private static final int XZ_PRESET = 6;
    private static final int ZSTD_LEVEL = 3;
    private static final int BROTLI_QUALITY = 5;

    /**
     * commons-compress's lz4 encoder is very slow (measured: 100 KB in 0.3 s, a 2 MB binary in 40 s even
     * with these settings, the fastest we found: 64 KiB blocks, LZ77 tuned for speed). Decoding is fast.
     * Nobody should encode lz4 on a request path; a faster encoder needs another library (lz4-java).
     */
    private static final FramedLZ4CompressorOutputStream.Parameters LZ4_PARAMETERS =
            new FramedLZ4CompressorOutputStream.Parameters(FramedLZ4CompressorOutputStream.BlockSize.K64,
                    BlockLZ4CompressorOutputStream.createParameterBuilder().tunedForSpeed().build());

    private final String nixName;
    private final String extension;

    Compression(String nixName, String extension) {
        this.nixName = nixName;
        this.extension = extension;
    }

    /** The name in narinfo files, e.g. {@code zstd}. */
    public String nixName() { return nixName; }

    /** The NAR URL extension after {@code .nar}, with its dot ({@code .zst}); empty for none. */
    public String extension() { return extension; }

    /** A missing {@code Compression:} line means bzip2, as in Nix. */
    public static Compression fromNixName(String name) throws NixParseException {
        if (name == null || name.isEmpty()) return BZIP2;
        for (Compression compression : values()) {
            if (compression.nixName.equals(name)) return compression;
        }
        throw new NixParseException("unknown compression \"" + Text.excerpt(name)
                + "\" (allowed: none, xz, zstd, bzip2, br, lzip, lz4, gzip)");
    }

    /** From a URL extension with or without its dot; empty means none. */
    public static Compression fromExtension(String extension) throws NixParseException {
        String dotted = extension.isEmpty() || extension.startsWith(".") ? extension : "." + extension;
        for (Compression compression : values()) {
            if (compression.extension.equals(dotted)) return compression;
        }
        throw new NixParseException("unknown NAR extension \"" + Text.excerpt(extension)
                + "\" (allowed: none, .xz, .zst, .bz2, .br, .lzip, .lz4, .gz)");
    }

    /** Whether this JVM can decompress (and compress) it; the others fail with "unsupported compression". */
    public boolean isSupported() {
        return switch (this) {
            case LZIP -> false;
            case BROTLI -> Brotli4jLoader.isAvailable();
            default -> true;
        };
    }

    /** Streaming decoder; {@link NixParseException} on corrupt data where the codec can tell. */
    public InputStream decompress(InputStream compressed) throws IOException {
        requireSupported();
        if (this == NONE) return compressed;
        return DecodingStream.open(this, compressed);
    }

    /** Streaming encoder; closing the result finishes the frame and closes {@code sink}. */
    public OutputStream compress(OutputStream sink) throws IOException {
        requireSupported();
        return switch (this) {
            case NONE -> sink;
            case XZ -> new XZOutputStream(sink, new LZMA2Options(XZ_PRESET));
            case ZSTD -> new ZstdOutputStreamNoFinalizer(sink, ZSTD_LEVEL);
            case BZIP2 -> new BZip2CompressorOutputStream(sink);
            case BROTLI -> new BrotliOutputStream(sink, new Encoder.Parameters().setQuality(BROTLI_QUALITY));
            case LZ4 -> new FramedLZ4CompressorOutputStream(sink, LZ4_PARAMETERS);
            case GZIP -> new GZIPOutputStream(sink);
            case LZIP -> throw new IllegalStateException("unreachable: lzip is unsupported");
        };
    }

    /** The codec's raw decoder over {@code source}; it may read headers right away. */
    InputStream openDecoder(InputStream source) throws IOException {
        return switch (this) {
            case XZ -> new XZInputStream(source, XZ_MEMORY_LIMIT_KIB);
            case ZSTD -> new ZstdInputStreamNoFinalizer(source);
            case BZIP2 -> new BZip2CompressorInputStream(source, true);
            case BROTLI -> new BrotliInputStream(source);
            case LZ4 -> new FramedLZ4CompressorInputStream(source, true);
            case GZIP -> new GZIPInputStream(source);
            case NONE, LZIP -> throw new IllegalStateException("unreachable: no decoder for " + nixName);
        };
    }

    private void requireSupported() throws NixParseException {
        if (this == BROTLI) ensureBrotli();
        if (!isSupported()) throw new NixParseException("unsupported compression: " + nixName);
    }

    private static void ensureBrotli() throws NixParseException {
        try {
            Brotli4jLoader.ensureAvailability();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new NixParseException("unsupported compression: br (native brotli library unavailable: "
                    + e.getMessage() + ")", e);
        }
    }
}
