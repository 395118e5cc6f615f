package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real binary cache signed by the real nix, built by scripts/mkupstream.sh under target/test-upstreams/NAME.
 * It is built at most once per JVM per name, and reused across JVMs while the script and the options are
 * unchanged (a marker file records both), so test classes can ask for it freely.
 */
public final class NixUpstreamCache {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern URL_LINE = Pattern.compile("(?m)^URL: (\\S+)$");

    /* Per-JVM memo of built caches: building one costs seconds, and every test class wants the same ones. */
    private static final Map<String, NixUpstreamCache> BUILT = new ConcurrentHashMap<>();

    /** Compression of the NARs in the cache, as mkupstream.sh names it. */
    public enum Compression {
        XZ("xz", ".nar.xz"), ZSTD("zstd", ".nar.zst"), NONE("none", ".nar");

        private final String option;
        private final String extension;

        Compression(String option, String extension) {
            this.option = option;
            this.extension = extension;
        }

        public String extension() {
            return extension;
        }
    }

    /** What to build: {@code name} picks the directory, the rest are mkupstream.sh's options. */
    public record Spec(String name, Compression compression, int bigMib, int extra) {
        public Spec {
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("cache name must match [A-Za-z0-9._-]+, got '" + name + "'");
            }
            if (bigMib < 0 || extra < 0) {
                throw new IllegalArgumentException("bigMib and extra must not be negative: " + bigMib + ", " + extra);
            }
        }

        List<String> arguments(Path out) {
            return List.of(out.toString(), "--compression", compression.option,
                    "--big-mib", Integer.toString(bigMib), "--extra", Integer.toString(extra));
        }
    }

    private final Spec spec;
    private final Path dir;
    private final List<String> storePaths;
    private final String publicKey;

    private NixUpstreamCache(Spec spec, Path dir) {
        this.spec = spec;
        this.dir = dir;
        this.storePaths = readLines(dir.resolve("paths"));
        this.publicKey = readLines(dir.resolve("key.pub")).getFirst();
    }

    /** The small default cache (xz, a 1 MiB blob), shared by tests that just need "a real upstream". */
    public static NixUpstreamCache standard() {
        return of(new Spec("standard-xz", Compression.XZ, 1, 0));
    }

    /** The cache for {@code spec}, building it if this JVM has not yet. Safe to call from many threads. */
    public static NixUpstreamCache of(Spec spec) {
        NixUpstreamCache cache = BUILT.computeIfAbsent(spec.name(), name -> build(spec));
        if (!cache.spec.equals(spec)) {
            throw new IllegalArgumentException("cache '" + spec.name() + "' was already built as " + cache.spec
                    + ", not " + spec + "; use another name");
        }
        return cache;
    }

    private static NixUpstreamCache build(Spec spec) {
        Path dir = TestDirs.target().resolve("test-upstreams").resolve(spec.name());
        Path script = TestDirs.repoRoot().resolve("scripts/mkupstream.sh");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("missing " + script + "; is ncps.repo.root (" + TestDirs.repoRoot()
                    + ") the project root?");
        }
        try {
            Files.createDirectories(dir);
            // Other JVMs (parallel test runs in this worktree) may build the same cache: take turns.
            // Closing the channel releases the lock.
            try (FileChannel lockFile = FileChannel.open(dir.resolveSibling(spec.name() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockFile.lock();
                Path marker = dir.resolve("built-with");
                String fingerprint = spec + " script-sha256=" + sha256(script);
                if (!Files.exists(marker) || !Files.readString(marker).equals(fingerprint)) {
                    Files.deleteIfExists(marker);
                    List<String> command = new java.util.ArrayList<>(List.of(script.toString()));
                    command.addAll(spec.arguments(dir));
                    Processes.run("mkupstream-" + spec.name(), command, Map.of(), TestDirs.repoRoot(), BUILD_TIMEOUT)
                            .requireSuccess("scripts/mkupstream.sh for " + spec);
                    Files.writeString(marker, fingerprint);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build upstream cache " + spec, e);
        }
        return new NixUpstreamCache(spec, dir);
    }

    public Spec spec() {
        return spec;
    }

    /** The binary cache folder: nix-cache-info, *.narinfo, nar/. */
    public Path cacheDir() {
        return dir.resolve("cache");
    }

    /** The public key the narinfos are signed with, {@code name:base64}. */
    public String publicKey() {
        return publicKey;
    }

    public Path publicKeyFile() {
        return dir.resolve("key.pub");
    }

    public Path secretKeyFile() {
        return dir.resolve("key.sec");
    }

    /** The store path whose closure the cache holds. */
    public String closureRoot() {
        return storePaths.getFirst();
    }

    /** Every store path in the cache, the closure root first. */
    public List<String> storePaths() {
        return storePaths;
    }

    /** The 32-character hash part of a store path, which names its narinfo. */
    public static String hashOf(String storePath) {
        String base = storePath.substring(storePath.lastIndexOf('/') + 1);
        if (base.length() < 33 || base.charAt(32) != '-') {
            throw new IllegalArgumentException("not a store path: " + storePath);
        }
        return base.substring(0, 32);
    }

    /** All narinfo files by hash part. */
    public Map<String, Path> narInfoFiles() {
        Map<String, Path> files = new TreeMap<>();
        storePaths.forEach(path -> files.put(hashOf(path), narInfoFile(hashOf(path))));
        return files;
    }

    public Path narInfoFile(String hash) {
        Path file = cacheDir().resolve(hash + ".narinfo");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no narinfo for hash " + hash + " in " + cacheDir());
        }
        return file;
    }

    public String narInfoText(String hash) {
        return read(narInfoFile(hash));
    }

    /** The URL field of a narinfo, e.g. {@code nar/1abc….nar.xz}. */
    public String narUrl(String hash) {
        Matcher url = URL_LINE.matcher(narInfoText(hash));
        return Optional.of(url).filter(Matcher::find).map(m -> m.group(1))
                .orElseThrow(() -> new IllegalStateException("narinfo " + hash + " has no URL line"));
    }

    /** The NAR file a narinfo points to. */
    public Path narFile(String hash) {
        return cacheDir().resolve(narUrl(hash));
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
