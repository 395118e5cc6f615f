package dev.ncps.ops;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixBase32;
import dev.ncps.nix.StorePath;
import dev.ncps.store.Store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;

/** Fills an index and a store the way serve does: object first, then its row, then the narinfo naming it. */
final class TestCache {
    private final Index index;
    private final Store store;

    TestCache(Index index, Store store) {
        this.index = index;
        this.store = store;
    }

    /** One cached path: its narinfo, the NAR file key and the stored bytes. */
    record Path(String hash, NarInfo narInfo, NarFileKey narFile, byte[] bytes) {
        String objectKey() {
            return narFile.storeKey();
        }
    }

    /** A path with distinct content; {@code compression} none or zstd. Nothing is stored yet. */
    static Path path(String name, Compression compression) throws Exception {
        byte[] nar = ("nar archive of " + name + " ").repeat(200).getBytes(StandardCharsets.UTF_8);
        byte[] file = compression == Compression.NONE ? nar : compress(compression, nar);
        Hash fileHash = Hash.of(HashAlgorithm.SHA256, sha256(file));
        String narFileHash = fileHash.nix32Digest();
        String hash = NixBase32.encode(java.util.Arrays.copyOf(sha256(name.getBytes(StandardCharsets.UTF_8)), 20));
        NarInfo narInfo = new NarInfo(StorePath.parseBaseName(hash + "-" + name),
                "nar/" + narFileHash + ".nar" + compression.extension(), compression, fileHash, file.length,
                Hash.of(HashAlgorithm.SHA256, sha256(nar)), nar.length, List.of(), null, "x86_64-linux",
                List.of("test-1:" + "A".repeat(86) + "=="), null);
        return new Path(hash, narInfo, new NarFileKey(narFileHash, compression), file);
    }

    /** The whole path as serve keeps it. */
    Path cached(String name, Compression compression) throws Exception {
        Path path = path(name, compression);
        putObject(path);
        putRow(path);
        putNarInfo(path, "https://upstream.example/" + path.narInfo().url());
        return path;
    }

    void putObject(Path path) throws Exception {
        store.put(path.objectKey(), new ByteArrayInputStream(path.bytes()));
    }

    void putRow(Path path) throws Exception {
        index.putNarFile(new NarFileEntry(path.narFile(), path.bytes().length, Instant.now()));
    }

    /** {@code upstreamUrl} null: an upload, whose NAR cannot be fetched again. */
    void putNarInfo(Path path, String upstreamUrl) throws Exception {
        index.putNarInfo(new NarInfoEntry(path.hash(), path.narInfo(), upstreamUrl, Instant.now()));
    }

    /** Replaces the object's bytes behind the index's back (bit rot, an operator's mistake). */
    void replaceObject(Path path, byte[] bytes) throws Exception {
        store.delete(path.objectKey());
        store.put(path.objectKey(), new ByteArrayInputStream(bytes));
    }

    private static byte[] compress(Compression compression, byte[] data) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = compression.compress(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
