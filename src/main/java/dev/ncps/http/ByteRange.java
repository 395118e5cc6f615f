package dev.ncps.http;

/**
 * A single byte range of a {@code Range: bytes=...} request header. Nix resumes interrupted NAR
 * downloads with {@code bytes=N-}; suffix and closed ranges are accepted too. Several ranges in one
 * header are answered with the whole body, which RFC 9110 allows.
 */
record ByteRange(long first, long last) {

    long length() {
        return last - first + 1;
    }

    String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    sealed interface Parsed {}

    /** No usable Range header: answer 200 with everything. */
    record Whole() implements Parsed {}

    record Partial(ByteRange range) implements Parsed {}

    /** A syntactically valid range outside the body: 416. */
    record Unsatisfiable() implements Parsed {}

    static Parsed parse(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0 || size < 0) {
            return new Whole();
        }
        String spec = header.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        try {
            String from = spec.substring(0, dash).trim();
            String to = spec.substring(dash + 1).trim();
            if (from.isEmpty()) {
                long suffix = Long.parseLong(to);
                if (suffix <= 0) {
                    return new Unsatisfiable();
                }
                return new Partial(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? size - 1 : Math.min(Long.parseLong(to), size - 1);
            if (first < 0 || first >= size || last < first) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return new Whole();
        }
    }
}
