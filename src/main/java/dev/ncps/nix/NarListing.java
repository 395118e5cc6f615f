package dev.ncps.nix;

import java.util.List;

/**
 * The {@code .ls} file of a binary cache: a NAR's tree as the JSON Nix writes with
 * {@code write-nar-listing=true} ({@code {"version":1,"root":{...}}}, entries in NAR order, regular files with
 * their size, executable flag and {@code narOffset}), byte for byte as nix-bin writes it.
 */
public final class NarListing {
    private NarListing() {}

    /** {@code entries} as {@link NarReader} lists them: the root first, every directory before its children. */
    public static String json(List<NarReader.Entry> entries) {
        StringBuilder out = new StringBuilder("{\"version\":1,\"root\":");
        int next = node(entries, 0, out);
        if (next != entries.size()) {
            throw new IllegalArgumentException("entries after the root's tree: " + entries.get(next).path());
        }
        return out.append('}').toString();
    }

    /** Writes the node at {@code index} and its subtree; returns the index after that subtree. */
    private static int node(List<NarReader.Entry> entries, int index, StringBuilder out) {
        NarReader.Entry entry = entries.get(index);
        switch (entry.type()) {
            case REGULAR -> {
                out.append("{\"type\":\"regular\",\"size\":").append(entry.size());
                if (entry.executable()) out.append(",\"executable\":true");
                out.append(",\"narOffset\":").append(entry.narOffset()).append('}');
                return index + 1;
            }
            case SYMLINK -> {
                out.append("{\"type\":\"symlink\",\"target\":");
                JsonString.append(entry.target(), out);
                out.append('}');
                return index + 1;
            }
            case DIRECTORY -> {
                out.append("{\"type\":\"directory\",\"entries\":{");
                String prefix = entry.path().isEmpty() ? "" : entry.path() + "/";
                int next = index + 1;
                boolean first = true;
                while (next < entries.size() && entries.get(next).path().startsWith(prefix)
                        && !entries.get(next).path().equals(entry.path())) {
                    if (!first) out.append(',');
                    first = false;
                    JsonString.append(entries.get(next).path().substring(prefix.length()), out);
                    out.append(':');
                    next = node(entries, next, out);
                }
                out.append("}}");
                return next;
            }
        }
        throw new AssertionError(entry.type());
    }
}
