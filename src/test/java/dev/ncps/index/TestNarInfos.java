package dev.ncps.index;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.StorePath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Narinfos for index tests: the real fixtures, and synthetic ones with distinct hashes. */
final class TestNarInfos {
    private static final String NIX32 = "0123456789abcdfghijklmnpqrsvwxyz";

    private TestNarInfos() {}

    static List<NarInfo> fixtures() throws Exception {
        Path dir = Path.of(System.getProperty("ncps.repo.root", "."), "src/test/resources/fixtures/narinfo");
        List<NarInfo> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".narinfo")).sorted().toList()) {
                result.add(NarInfo.parse(Files.readString(f)));
            }
        }
        return result;
    }

    /** A 32-character nix32 hash part unique to {@code n}. */
    static String hashPart(String seed, int n) {
        byte[] digest = sha256(seed + n);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 32; i++) s.append(NIX32.charAt((digest[i] & 0xff) % 32));
        return s.toString();
    }

    /** A narinfo whose URL names {@code nar/<narFileHash>.nar.xz}. */
    static NarInfo synthetic(int n, String narFileHash) {
        try {
            return new NarInfo(StorePath.parseBaseName(hashPart("path", n) + "-pkg-" + n),
                    "nar/" + narFileHash + ".nar.xz", Compression.XZ, Hash.of(HashAlgorithm.SHA256, sha256("file" + n)), 100,
                    Hash.of(HashAlgorithm.SHA256, sha256("nar" + n)), 1000 + n,
                    List.of(hashPart("path", n) + "-pkg-" + n, hashPart("dep", n) + "-dep"), null, "x86_64-linux",
                    List.of("test-1:" + "A".repeat(86) + "==", "other-1:" + "B".repeat(86) + "=="), null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String narFileHash(int n) {
        return hashPart("narfile", n) + "aaaaaaaaaaaaaaaaaaaa";
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
