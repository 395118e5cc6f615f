package dev.ncps.nix;

import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code .ls} file of a binary cache: a NAR's tree as the JSON Nix writes with
 * {@code write-nar-listing=true} ({@code {"version":1,"root":{...}}}, entries in NAR order, regular files with
 * their size, executable flag and {@code narOffset}), byte for byte as nix-bin writes it.
 */
public final class NarListing {
    private NarListing() {}

    /** {@code entries} as {@link NarReader} lists them: the root first, every directory before its children. */
    public static String json(List<NarReader.Entry> entries) {
        StringWriter out = new StringWriter();
        try (Writer writer = new Writer(out)) {
            for (NarReader.Entry entry : entries) {
                writer.accept(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes a listing as {@link NarReader} reports the entries, so that a NAR with millions of files is listed in the
     * memory of its deepest path: the root first, every directory before its children, in NAR order. {@link #close()}
     * writes the end of the listing (and closes {@code out}); a write that fails throws {@link UncheckedIOException}
     * from {@link #accept}.
     */
    public static final class Writer implements Consumer<NarReader.Entry>, Closeable {
        private final java.io.Writer out;
        private final StringBuilder text = new StringBuilder(256);
        /** The directories still open, innermost first, and whether each has had an entry yet. */
        private final Deque<String> open = new ArrayDeque<>();
        private final Deque<Boolean> hasEntries = new ArrayDeque<>();
        private boolean started;

        public Writer(java.io.Writer out) {
            this.out = out;
        }

        @Override
        public void accept(NarReader.Entry entry) {
            text.setLength(0);
            if (!started) {
                if (!entry.path().isEmpty()) {
                    throw new IllegalArgumentException("the first entry is not the root: " + entry.path());
                }
                started = true;
                text.append("{\"version\":1,\"root\":");
            } else {
                while (!open.isEmpty() && !isInside(entry.path(), open.peek())) {
                    open.pop();
                    hasEntries.pop();
                    text.append("}}");
                }
                if (open.isEmpty()) {
                    throw new IllegalArgumentException("an entry after the root's tree: " + entry.path());
                }
                String parent = open.peek();
                if (hasEntries.pop()) {
                    text.append(',');
                }
                hasEntries.push(true);
                JsonString.append(entry.path().substring(parent.isEmpty() ? 0 : parent.length() + 1), text);
                text.append(':');
            }
            switch (entry.type()) {
                case REGULAR -> {
                    text.append("{\"type\":\"regular\",\"size\":").append(entry.size());
                    if (entry.executable()) text.append(",\"executable\":true");
                    text.append(",\"narOffset\":").append(entry.narOffset()).append('}');
                }
                case SYMLINK -> {
                    text.append("{\"type\":\"symlink\",\"target\":");
                    JsonString.append(entry.target(), text);
                    text.append('}');
                }
                case DIRECTORY -> {
                    text.append("{\"type\":\"directory\",\"entries\":{");
                    open.push(entry.path());
                    hasEntries.push(false);
                }
            }
            write();
        }

        private static boolean isInside(String path, String directory) {
            return directory.isEmpty() || path.length() > directory.length() && path.startsWith(directory)
                    && path.charAt(directory.length()) == '/';
        }

        @Override
        public void close() throws IOException {
            text.setLength(0);
            if (started) {
                text.append("}}".repeat(open.size())).append('}');
                open.clear();
                hasEntries.clear();
                write();
            }
            out.close();
        }

        private void write() {
            try {
                out.append(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Checks a listing from elsewhere (an upstream's, which nothing signs) as far as it can be without the NAR: the
     * shape above, entry names that are single path components, and regular file sizes that fit in {@code narSize}.
     * What it cannot tell is whether the tree is the NAR's.
     */
    public static void check(String json, long narSize) throws NixParseException {
        if (!(Json.parse(json) instanceof Map<?, ?> listing) || !"1".equals(listing.get("version"))) {
            throw new NixParseException("not a version 1 listing");
        }
        long bytes = checkNode(listing.get("root"), "/");
        if (bytes > narSize) {
            throw new NixParseException("its files hold " + bytes + " bytes, more than the NAR's " + narSize);
        }
    }

    /** Returns the bytes of the regular files under the node. */
    private static long checkNode(Object node, String path) throws NixParseException {
        if (!(node instanceof Map<?, ?> map)) {
            throw new NixParseException(path + ": not an object");
        }
        switch (String.valueOf(map.get("type"))) {
            case "regular" -> {
                if (!(map.get("size") instanceof String size) || !size.matches("[0-9]{1,18}")) {
                    throw new NixParseException(path + ": regular file without a size");
                }
                return Long.parseLong(size);
            }
            case "symlink" -> {
                if (!(map.get("target") instanceof String)) {
                    throw new NixParseException(path + ": symlink without a target");
                }
                return 0;
            }
            case "directory" -> {
                if (!(map.get("entries") instanceof Map<?, ?> entries)) {
                    throw new NixParseException(path + ": directory without entries");
                }
                long bytes = 0;
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    String name = (String) entry.getKey();
                    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf(0) >= 0) {
                        throw new NixParseException(path + ": entry name \"" + Text.excerpt(name) + "\" is not a file name");
                    }
                    bytes += checkNode(entry.getValue(), path + name + "/");
                }
                return bytes;
            }
            default -> throw new NixParseException(path + ": unknown type " + map.get("type"));
        }
    }
}
