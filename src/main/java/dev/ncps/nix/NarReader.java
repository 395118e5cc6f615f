package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Streams a NAR archive: validates its structure, hashes it, and optionally lists its entries.
 *
 * <p>The format is a sequence of strings, each a little-endian 64-bit length, the bytes, and zero
 * padding to a multiple of 8:
 * <pre>
 *   "nix-archive-1" node
 *   node  = "(" "type" ( "regular" ["executable" ""] "contents" &lt;bytes&gt;
 *                      | "symlink" "target" &lt;target&gt;
 *                      | "directory" { "entry" "(" "name" &lt;name&gt; "node" node ")" } ) ")"
 * </pre>
 * Only the canonical form that {@code nix-store --dump} writes is accepted: entries strictly sorted by
 * their bytes, "executable" before "contents", zero padding, nothing after the root node.
 *
 * <p>Memory stays bounded whatever the input claims: file contents are hashed in passing and never held,
 * names and targets have small caps checked before anything is allocated, and directories are walked with
 * an explicit stack so deep nesting cannot overflow the thread's stack. A file claiming 2^62 bytes simply
 * runs into the end of the stream and is reported as truncated.
 */
public final class NarReader {
    /**
     * One entry of a NAR: its path inside the archive ("" for the root), type, size and flags; for a regular
     * file, {@code narOffset} is where its contents start in the NAR (0 for other types).
     */
    public record Entry(String path, Type type, long size, boolean executable, String target, long narOffset) {}

    public enum Type { DIRECTORY, REGULAR, SYMLINK }

    /** What a full read found: the sha256 NarHash and NarSize of the bytes, and the entries when listed. */
    public record Summary(Hash narHash, long narSize, List<Entry> entries) {}

    /** A file name: Linux's NAME_MAX. */
    static final int MAX_NAME_BYTES = 255;
    /** A symlink target: Linux's PATH_MAX. */
    static final int MAX_TARGET_BYTES = 4096;
    /**
     * A path inside the archive: also PATH_MAX. It bounds nesting depth (each level adds at least two
     * bytes) and the size of every listed path, so a hostile chain of directories costs neither quadratic
     * time nor memory.
     */
    static final int MAX_PATH_BYTES = 4096;
    /** Longer than any keyword of the format, so a wrong keyword is still read and quoted in the error. */
    private static final int MAX_TOKEN_BYTES = 64;
    private static final int BUFFER_BYTES = 64 * 1024;

    private NarReader() {}

    /** Reads the whole (uncompressed) NAR, validating it; entries empty unless {@code listEntries}. */
    public static Summary read(InputStream nar, boolean listEntries) throws IOException {
        if (!listEntries) {
            return new Parser(nar, entry -> {}).parse(List.of());
        }
        List<Entry> entries = new ArrayList<>();
        return new Parser(nar, entries::add).parse(entries);
    }

    /**
     * Reads the whole (uncompressed) NAR, validating it, and gives each entry to {@code listener} as it is read: the
     * root first, every directory before its children. The summary lists no entries; a NAR may have millions.
     */
    public static Summary read(InputStream nar, Consumer<Entry> listener) throws IOException {
        return new Parser(nar, listener).parse(List.of());
    }

    /** An open directory node, waiting for its next entry or its closing ")". */
    private record Directory(String path, int pathBytes, byte[] lastName, boolean isEntry) {}

    private static final class Parser {
        private final InputStream in;
        private final Consumer<Entry> listener;
        private final MessageDigest digest = HashAlgorithm.SHA256.newDigest();
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private final Deque<Directory> directories = new ArrayDeque<>();
        private int position;
        private int limit;
        private long offset;

        Parser(InputStream in, Consumer<Entry> listener) {
            this.in = in;
            this.listener = listener;
        }

        /** {@code entries}: what the summary lists, filled by the listener. */
        Summary parse(List<Entry> entries) throws IOException {
            expect("nix-archive-1");
            node("", 0, false);
            while (!directories.isEmpty()) {
                Directory directory = directories.peek();
                long start = offset;
                String token = token();
                if (token.equals(")")) {
                    directories.pop();
                    if (directory.isEntry()) expect(")");
                } else if (token.equals("entry")) {
                    entry(directory);
                } else {
                    throw error(start, "expected \"entry\" or \")\" in directory \"" + directory.path()
                            + "\", found \"" + Text.excerpt(token) + "\"");
                }
            }
            if (position < limit || fill() > 0) throw error(offset, "trailing data after the end of the NAR");
            return new Summary(Hash.of(HashAlgorithm.SHA256, digest.digest()), offset, List.copyOf(entries));
        }

        private void entry(Directory directory) throws IOException {
            expect("(");
            expect("name");
            long start = offset;
            byte[] name = string(MAX_NAME_BYTES, "file name");
            String problem = nameProblem(name);
            if (problem != null) throw error(start, problem + " in directory \"" + directory.path() + "\"");
            if (directory.lastName() != null && Arrays.compareUnsigned(name, directory.lastName()) <= 0) {
                throw error(start, "entry \"" + decode(name) + "\" in directory \"" + directory.path()
                        + "\" is not after \"" + decode(directory.lastName()) + "\" (entries must be sorted and unique)");
            }
            int pathBytes = directory.path().isEmpty() ? name.length : directory.pathBytes() + 1 + name.length;
            if (pathBytes > MAX_PATH_BYTES) {
                throw error(start, "path of entry \"" + decode(name) + "\" in directory \"" + Text.excerpt(directory.path())
                        + "\" is longer than " + MAX_PATH_BYTES + " bytes");
            }
            directories.pop();
            directories.push(new Directory(directory.path(), directory.pathBytes(), name, directory.isEntry()));
            expect("node");
            String path = directory.path().isEmpty() ? decode(name) : directory.path() + "/" + decode(name);
            // A directory child closes its entry when its own ")" arrives; other children close it now.
            if (!node(path, pathBytes, true)) expect(")");
        }

        /** Reads a node up to its end, or up to its first entry if it is a directory; true for a directory. */
        private boolean node(String path, int pathBytes, boolean isEntry) throws IOException {
            expect("(");
            expect("type");
            long start = offset;
            String type = token();
            switch (type) {
                case "regular" -> regular(path);
                case "symlink" -> symlink(path);
                case "directory" -> {
                    add(new Entry(path, Type.DIRECTORY, 0, false, null, 0));
                    directories.push(new Directory(path, pathBytes, null, isEntry));
                    return true;
                }
                default -> throw error(start, "unknown node type \"" + Text.excerpt(type)
                        + "\" (expected regular, symlink or directory)");
            }
            expect(")");
            return false;
        }

        private void regular(String path) throws IOException {
            long start = offset;
            String token = token();
            boolean executable = token.equals("executable");
            if (executable) {
                expect("");
                start = offset;
                token = token();
            }
            if (!token.equals("contents")) {
                throw error(start, "expected \"contents\"" + (executable ? "" : " or \"executable\"")
                        + " in regular file \"" + path + "\", found \"" + Text.excerpt(token) + "\"");
            }
            start = offset;
            long size = length();
            if (size < 0) throw error(start, "size of file \"" + path + "\" exceeds " + Long.MAX_VALUE + " bytes");
            long contents = offset;
            skip(size, "contents of \"" + path + "\"");
            padding(size);
            add(new Entry(path, Type.REGULAR, size, executable, null, contents));
        }

        private void symlink(String path) throws IOException {
            expect("target");
            long start = offset;
            byte[] target = string(MAX_TARGET_BYTES, "symlink target");
            for (byte b : target) {
                if (b == 0) throw error(start, "symlink target of \"" + path + "\" contains a NUL byte");
            }
            add(new Entry(path, Type.SYMLINK, 0, false, decode(target), 0));
        }

        private void add(Entry entry) {
            listener.accept(entry);
        }

        private static String nameProblem(byte[] name) {
            if (name.length == 0) return "empty file name";
            String text = decode(name);
            if (text.equals(".") || text.equals("..")) return "file name \"" + text + "\" is not allowed";
            for (byte b : name) {
                if (b == '/' || b == 0) {
                    return "file name \"" + Text.excerpt(text) + "\" contains " + (b == 0 ? "a NUL byte" : "'/'");
                }
            }
            return null;
        }

        private void expect(String keyword) throws IOException {
            long start = offset;
            String token = token();
            if (!token.equals(keyword)) {
                throw error(start, "expected \"" + keyword + "\", found \"" + Text.excerpt(token) + "\"");
            }
        }

        private String token() throws IOException {
            return new String(string(MAX_TOKEN_BYTES, "keyword"), StandardCharsets.ISO_8859_1);
        }

        private byte[] string(int maxLength, String what) throws IOException {
            long start = offset;
            long length = length();
            if (length < 0 || length > maxLength) {
                throw error(start, what + " has length " + Long.toUnsignedString(length) + "; at most "
                        + maxLength + " bytes are allowed");
            }
            byte[] bytes = new byte[(int) length];
            read(bytes, what);
            padding(length);
            return bytes;
        }

        /** A u64 length; negative when it does not fit a long, which every caller rejects. */
        private long length() throws IOException {
            byte[] bytes = new byte[8];
            read(bytes, "length field");
            long value = 0;
            for (int i = 7; i >= 0; i--) value = (value << 8) | (bytes[i] & 0xff);
            return value;
        }

        private void padding(long length) throws IOException {
            int count = (int) ((8 - (length & 7)) & 7);
            long start = offset;
            byte[] bytes = new byte[count];
            read(bytes, "padding");
            for (byte b : bytes) {
                if (b != 0) throw error(start, "non-zero padding byte");
            }
        }

        private void read(byte[] target, String what) throws IOException {
            int done = 0;
            while (done < target.length) {
                if (position == limit && fill() < 0) throw truncated(what);
                int count = Math.min(limit - position, target.length - done);
                System.arraycopy(buffer, position, target, done, count);
                consume(count);
                done += count;
            }
        }

        private void skip(long size, String what) throws IOException {
            long remaining = size;
            while (remaining > 0) {
                if (position == limit && fill() < 0) throw truncated(what);
                int count = (int) Math.min(limit - position, remaining);
                consume(count);
                remaining -= count;
            }
        }

        private void consume(int count) {
            digest.update(buffer, position, count);
            position += count;
            offset += count;
        }

        /** Refills the empty buffer; -1 at the end of the stream. */
        private int fill() throws IOException {
            int count;
            do {
                count = in.read(buffer, 0, buffer.length);
            } while (count == 0);
            position = 0;
            limit = Math.max(count, 0);
            return count;
        }

        private NixParseException truncated(String what) {
            return error(offset, "NAR is truncated (stream ended while reading " + what + ")");
        }

        private static NixParseException error(long at, String problem) {
            return new NixParseException("NAR offset " + at + ": " + problem);
        }

        private static String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
