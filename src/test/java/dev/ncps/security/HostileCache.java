package dev.ncps.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.nix.StorePath;
import dev.ncps.testing.TestDirs;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A binary cache folder written by an attacker who holds the upstream's signing key only in the sense that
 * every narinfo here carries a valid signature over what is signed (StorePath, NarHash, NarSize,
 * References), while the unsigned fields (URL, Compression, FileHash, FileSize) and the NAR bytes are
 * whatever the attack needs.
 */
final class HostileCache implements AutoCloseable {
    /** The content of the one path every attack is about: a 64 KiB file. */
    static final byte[] VICTIM_NAR = narOfFile(randomBytes(64 * 1024, 1));

    private final SecretKey key = SecretKey.generate("hostile-upstream-1");
    private final Path dir = TestDirs.newWorkDir("hostile-cache");

    HostileCache() {
        write("nix-cache-info", "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n".getBytes(StandardCharsets.UTF_8));
    }

    Path dir() {
        return dir;
    }

    String publicKey() {
        return key.publicKey().toNixString();
    }

    /**
     * Publishes the victim path with a valid signature, serving {@code file} as its NAR under
     * {@code compression}; FileHash and FileSize are those of {@code file} when {@code withFileFields}
     * (a consistent lie), else absent. Returns the narinfo's hash part.
     */
    String publish(String name, Compression compression, Path file, boolean withFileFields) {
        try {
            Hash fileHash = sha256(file);
            long fileSize = Files.size(file);
            String url = "nar/" + fileHash.nix32Digest() + ".nar" + compression.extension();
            Files.createDirectories(dir.resolve("nar"));
            Files.move(file, dir.resolve(url));
            StorePath path = new StorePath(sha256(name.getBytes(StandardCharsets.UTF_8)).nix32Digest().substring(0, 32), name);
            NarInfo unsigned = new NarInfo(path, url, compression, withFileFields ? fileHash : null,
                    withFileFields ? fileSize : -1, sha256(VICTIM_NAR), VICTIM_NAR.length, List.of(), null, null, List.of(), null);
            NarInfo narInfo = signed(unsigned);
            write(path.hashPart() + ".narinfo", narInfo.serialize().getBytes(StandardCharsets.UTF_8));
            return path.hashPart();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    NarInfo signed(NarInfo narInfo) {
        return narInfo.withSignatures(List.of(key.sign(narInfo.fingerprint())));
    }

    /** The upstream path of the NAR that {@link #publish} stored for this narinfo. */
    String narPath(String hashPart) {
        try {
            return "/" + NarInfo.parse(Files.readString(dir.resolve(hashPart + ".narinfo"))).url();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A scratch file outside the cache folder with these bytes. */
    Path file(byte[] bytes) {
        try {
            Path file = Files.createTempFile(dir, "attack-", ".tmp");
            Files.write(file, bytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A bomb: a NAR of one regular file of {@code expandedBytes} zeros, compressed. It is a few KiB; what
     * it expands to is far beyond the victim's signed NarSize.
     */
    Path bomb(Compression compression, long expandedBytes) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        // xz's fastest preset: the test need not wait for a good ratio, zeros compress anyway.
        try (OutputStream out = compression == Compression.XZ ? new XZOutputStream(sink, new LZMA2Options(0))
                : compression.compress(sink)) {
            out.write(narHeader(expandedBytes));
            byte[] zeros = new byte[1 << 20];
            for (long left = expandedBytes; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            out.write(new byte[(int) ((8 - expandedBytes % 8) % 8)]);
            out.write(string(")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file(sink.toByteArray());
    }

    /** {@code prefix} followed by zero bytes up to {@code totalBytes} (a sparse file: no disk used). */
    Path padded(byte[] prefix, long totalBytes) {
        Path file = file(prefix);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(totalBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static byte[] compress(Compression compression, byte[] data) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = compression.compress(sink)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sink.toByteArray();
    }

    static byte[] narOfFile(byte[] contents) {
        ByteArrayOutputStream nar = new ByteArrayOutputStream();
        nar.writeBytes(narHeader(contents.length));
        nar.writeBytes(contents);
        nar.writeBytes(new byte[(8 - contents.length % 8) % 8]);
        nar.writeBytes(string(")"));
        return nar.toByteArray();
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A NAR up to the contents of its one regular file of {@code size} bytes. */
    private static byte[] narHeader(long size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String token : List.of("nix-archive-1", "(", "type", "regular", "contents")) {
            out.writeBytes(string(token));
        }
        out.writeBytes(length(size));
        return out.toByteArray();
    }

    private static byte[] string(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(length(bytes.length));
        out.writeBytes(bytes);
        out.writeBytes(new byte[(8 - bytes.length % 8) % 8]);
        return out.toByteArray();
    }

    private static byte[] length(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }

    static Hash sha256(byte[] bytes) {
        return Hash.of(HashAlgorithm.SHA256, HashAlgorithm.SHA256.newDigest().digest(bytes));
    }

    private static Hash sha256(Path file) throws IOException {
        var digest = HashAlgorithm.SHA256.newDigest();
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return Hash.of(HashAlgorithm.SHA256, digest.digest());
    }

    private void write(String name, byte[] bytes) {
        try {
            Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        TestDirs.deleteTree(dir);
    }
}
