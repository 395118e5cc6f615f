package dev.ncps.nix;

import java.util.List;
import java.util.Map;

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
