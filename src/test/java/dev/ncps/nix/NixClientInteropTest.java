package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our protocol code against binary caches that the real Nix (Debian's nix-bin) built and signed with
 * {@code scripts/mkupstream.sh}: one xz cache and one zstd cache, built once per run of this class.
 */
@Tag("slow")
class NixClientInteropTest {
    private static final Path REPO = Path.of(System.getProperty("ncps.repo.root", System.getProperty("user.dir")));
    private static Map<String, Path> caches;

    @BeforeAll
    static void buildCaches() throws Exception {
        caches = Map.of("xz", build("xz"), "zstd", build("zstd"));
    }

    @Test
    void everyNarinfoNixWroteReserializesByteForByte() throws Exception {
        for (Path narinfo : narinfos()) {
            String text = Files.readString(narinfo);
            assertThat(NarInfo.parse(text).serialize()).as(narinfo.toString()).isEqualTo(text);
        }
    }

    @Test
    void ourSignaturesEqualTheOnesNixStoreSignWrote() throws Exception {
        for (Path out : caches.values()) {
            SecretKey secret = SecretKey.parse(Files.readString(out.resolve("key.sec")));
            PublicKey published = PublicKey.parse(Files.readString(out.resolve("key.pub")));
            assertThat(secret.publicKey()).isEqualTo(published);
            for (Path narinfo : narinfos(out)) {
                NarInfo info = NarInfo.parse(Files.readString(narinfo));
                assertThat(info.signatures()).hasSize(1);
                assertThat(secret.sign(info.fingerprint())).isEqualTo(info.signatures().getFirst());
                assertThat(PublicKey.verifiesAny(info, List.of(published))).isTrue();
            }
        }
    }

    @Test
    void narHashSizeAndFileHashSizeMatchWhatNixComputed() throws Exception {
        for (Path out : caches.values()) {
            for (Path narinfo : narinfos(out)) {
                NarInfo info = NarInfo.parse(Files.readString(narinfo));
                Path file = out.resolve("cache").resolve(info.url());
                byte[] fileDigest;
                try (InputStream in = Files.newInputStream(file)) {
                    fileDigest = HashAlgorithm.SHA256.newDigest().digest(in.readAllBytes());
                }
                assertThat(Hash.of(HashAlgorithm.SHA256, fileDigest)).isEqualTo(info.fileHash());
                assertThat(Files.size(file)).isEqualTo(info.fileSize());
                try (InputStream nar = info.compression().decompress(Files.newInputStream(file))) {
                    NarReader.Summary summary = NarReader.read(nar, false);
                    assertThat(summary.narHash()).as(info.storePath().toString()).isEqualTo(info.narHash());
                    assertThat(summary.narSize()).isEqualTo(info.narSize());
                }
            }
        }
    }

    @Test
    void listingMatchesTheStorePathNixDumped() throws Exception {
        Path out = caches.get("zstd");
        for (String storePath : Files.readAllLines(out.resolve("paths"))) {
            Path tree = out.resolve("store").resolve(storePath.substring(1));
            byte[] dump = run(List.of("nix-store", "--dump", tree.toString()), null);
            NarReader.Summary summary = NarReader.read(new java.io.ByteArrayInputStream(dump), true);
            NarInfo info = NarInfo.parse(Files.readString(out.resolve("cache").resolve(
                    StorePath.parse(storePath).hashPart() + ".narinfo")));
            assertThat(summary.narHash()).isEqualTo(info.narHash());
            assertThat(summary.entries()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("narOffset")
                    .containsExactlyInAnyOrderElementsOf(walk(tree));
            if (storePath.endsWith("-app-1.0")) {
                assertThat(summary.entries()).extracting(NarReader.Entry::type).contains(
                        NarReader.Type.DIRECTORY, NarReader.Type.REGULAR, NarReader.Type.SYMLINK);
                assertThat(summary.entries()).anyMatch(NarReader.Entry::executable);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "ZSTD", "BZIP2", "LZ4", "GZIP"})
    void ourEncoderAndTheCommandLineToolUnderstandEachOther(Compression compression, @TempDir Path dir) throws Exception {
        String tool = switch (compression) {
            case XZ -> "xz";
            case ZSTD -> "zstd";
            case BZIP2 -> "bzip2";
            case LZ4 -> "lz4";
            default -> "gzip";
        };
        org.junit.jupiter.api.Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
        Path out = caches.get("zstd");
        Path narinfo = narinfos(out).stream().filter(p -> read(p).contains("-app-1.0\n")).findFirst().orElseThrow();
        byte[] nar;
        try (InputStream in = Compression.ZSTD.decompress(Files.newInputStream(out.resolve("cache").resolve(
                NarInfo.parse(Files.readString(narinfo)).url())))) {
            nar = in.readAllBytes();
        }
        byte[] ours = CompressionTest.compress(compression, nar);
        Path oursFile = Files.write(dir.resolve("ours"), ours);
        assertThat(run(List.of(tool, "-d", "-c"), oursFile)).isEqualTo(nar);

        Path narFile = Files.write(dir.resolve("nar"), nar);
        byte[] theirs = run(List.of(tool, "-c"), narFile);
        assertThat(CompressionTest.decompress(compression, theirs)).isEqualTo(nar);
    }

    private static List<NarReader.Entry> walk(Path root) throws IOException {
        List<NarReader.Entry> entries = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                String relative = root.relativize(path).toString();
                if (Files.isSymbolicLink(path)) {
                    entries.add(new NarReader.Entry(relative, NarReader.Type.SYMLINK, 0, false,
                            Files.readSymbolicLink(path).toString(), 0));
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entries.add(new NarReader.Entry(relative, NarReader.Type.DIRECTORY, 0, false, null, 0));
                } else {
                    boolean executable = Files.getPosixFilePermissions(path).contains(PosixFilePermission.OWNER_EXECUTE);
                    entries.add(new NarReader.Entry(relative, NarReader.Type.REGULAR, Files.size(path), executable, null, 0));
                }
            }
        }
        return entries;
    }

    private static Path build(String compression) throws Exception {
        Path out = REPO.resolve("target/nix-interop/" + compression);
        byte[] printed = run(List.of(REPO.resolve("scripts/mkupstream.sh").toString(), out.toString(),
                "--compression", compression, "--big-mib", "1"), null);
        assertThat(new String(printed, StandardCharsets.UTF_8).strip()).isEqualTo(out.toString());
        return out;
    }

    private static List<Path> narinfos() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path out : caches.values()) all.addAll(narinfos(out));
        return all;
    }

    private static List<Path> narinfos(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out.resolve("cache"))) {
            List<Path> narinfos = files.filter(p -> p.toString().endsWith(".narinfo")).sorted().toList();
            assertThat(narinfos).hasSizeGreaterThanOrEqualTo(6);
            return narinfos;
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    /** Runs a command with {@code stdin} (or nothing) and returns its stdout; fails on a non-zero exit. */
    private static byte[] run(List<String> command, Path stdin) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (stdin != null) builder.redirectInput(stdin.toFile());
        Process process = builder.start();
        if (stdin == null) process.getOutputStream().close();
        byte[] stdout;
        try (InputStream in = process.getInputStream()) {
            stdout = in.readAllBytes();
        }
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as(command + " finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
        return stdout;
    }

}
