package dev.ncps.cache;

import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Random;

/**
 * A valid uncompressed NAR (one regular file of {@code size} pseudo-random bytes) with the narinfo an
 * upstream would publish for it: FileHash, FileSize, NarHash and NarSize all correct, so that any way of
 * verifying the download accepts these bytes and rejects changed ones.
 */
record TestNar(String hash, byte[] bytes, NarInfo upstreamNarInfo) {
    private static final String NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";

    static TestNar of(String name, int contentSize) {
        byte[] contents = new byte[contentSize];
        new Random(name.hashCode()).nextBytes(contents);
        byte[] nar = regularFileNar(contents);
        Hash narHash = Hash.of(HashAlgorithm.SHA256, sha256(nar));
        String hash = hashPart(name);
        try {
            NarInfo narInfo = new NarInfo(StorePath.parseBaseName(hash + "-" + name), "nar/upstream-" + name + ".nar",
                    Compression.NONE, narHash, nar.length, narHash, nar.length, List.of(), null, "x86_64-linux", List.of(), null);
            return new TestNar(hash, nar, narInfo);
        } catch (NixParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Where the upstream serves the NAR. */
    URI upstreamUri() {
        return URI.create("http://" + MemoryUpstream.HOST + "/" + upstreamNarInfo.url());
    }

    /** The name the cache serves the NAR under (the sha256 of the file, as in the narinfo it publishes). */
    NarFileKey key() {
        return new NarFileKey(upstreamNarInfo.fileHash().nix32Digest(), Compression.NONE);
    }

    /** The same length with one byte of the file's contents changed: still a well-formed NAR. */
    byte[] corrupted() {
        byte[] copy = bytes.clone();
        copy[copy.length / 2] ^= 1;
        return copy;
    }

    private static byte[] regularFileNar(byte[] contents) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String token : List.of("nix-archive-1", "(", "type", "regular", "contents")) {
            string(out, token.getBytes(StandardCharsets.UTF_8));
        }
        string(out, contents);
        string(out, ")".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, byte[] data) {
        for (int i = 0; i < 8; i++) out.write((int) ((long) data.length >>> (8 * i)));
        out.writeBytes(data);
        out.writeBytes(new byte[(8 - data.length % 8) % 8]);
    }

    private static String hashPart(String name) {
        byte[] digest = sha256(name.getBytes(StandardCharsets.UTF_8));
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < StorePath.HASH_PART_LENGTH; i++) s.append(NIX32.charAt((digest[i] & 0xff) % 32));
        return s.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
