package dev.ncps.http;

import dev.ncps.nix.Compression;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Transparent compression of uncompressed NARs on the wire ({@code Content-Encoding}), separate from the
 * narinfo's Compression: the client decodes it before it hashes the NAR, so the narinfo stays valid.
 * zstd is preferred (fast on both ends), gzip is the fallback every client has.
 */
enum ContentCoding {
    ZSTD("zstd"), GZIP("gzip");

    private final String token;

    ContentCoding(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }

    OutputStream wrap(OutputStream sink) throws IOException {
        return this == ZSTD ? Compression.ZSTD.compress(sink) : new GZIPOutputStream(sink, 64 * 1024);
    }

    /** The coding to use for this {@code Accept-Encoding}, or null for the bytes as they are. */
    static ContentCoding negotiate(String acceptEncoding) {
        if (acceptEncoding == null) {
            return null;
        }
        ContentCoding best = null;
        for (String part : acceptEncoding.split(",")) {
            String[] fields = part.trim().split(";");
            String coding = fields[0].trim().toLowerCase(Locale.ROOT);
            if (qualityOf(fields) <= 0) {
                continue;
            }
            if (coding.equals("zstd")) {
                return ZSTD;
            }
            if (coding.equals("gzip")) {
                best = GZIP;
            }
        }
        return best;
    }

    private static double qualityOf(String[] fields) {
        for (int i = 1; i < fields.length; i++) {
            String parameter = fields[i].trim();
            if (parameter.startsWith("q=")) {
                try {
                    return Double.parseDouble(parameter.substring(2));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
