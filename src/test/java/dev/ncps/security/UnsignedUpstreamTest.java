package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.nix.ContentAddress;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Unsigned binary caches written by nix-bin's {@code nix copy --to file://} without a key, served to a Nix client
 * that trusts only the ncps key. A content-addressed path authenticates itself; an input-addressed one is
 * accepted only from an upstream declared {@code ?trust-unsigned=true}, and otherwise never gets ncps's signature.
 */
@Tag("slow")
@Tag("security")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnsignedUpstreamTest {
    private static final List<String> NIX_CONFIG = List.of("experimental-features = nix-command", "build-users-group =",
            "sandbox = false", "substituters =", "fsync-metadata = false", "require-sigs = false");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private NixClient nix;
    private HttpClient http;
    private Path caCache;
    private String sourcePath;
    private String textPath;
    private String flatPath;
    private NixUpstreamCache inputAddressed;
    private Path inputAddressedCache;

    @BeforeAll
    void buildUnsignedCaches() throws IOException {
        nix = new NixClient();
        http = Http.client();
        toClose.add(http);
        Path work = TestDirs.newWorkDir("unsigned-upstream");
        Path store = work.resolve("store");
        Path source = Files.createDirectories(work.resolve("src/tree"));
        Files.writeString(source.resolve("file"), "content " + System.nanoTime());
        sourcePath = run("store", "add-path", "--store", store.toString(), source.toString(), "--name", "tree").strip();
        textPath = run("eval", "--raw", "--store", store.toString(), "--expr",
                "let a = builtins.toFile \"a.txt\" \"A " + System.nanoTime() + "\"; in builtins.toFile \"b.txt\" \"see ${a}\"");
        flatPath = run("store", "add-file", "--store", store.toString(), source.resolve("file").toString(),
                "--name", "flat").strip();
        caCache = work.resolve("ca-cache");
        run("copy", "--store", store.toString(), "--to", "file://" + caCache, sourcePath, textPath, flatPath);

        inputAddressed = NixUpstreamCache.standard();
        inputAddressedCache = work.resolve("ia-cache");
        run("copy", "--store", inputAddressed.cacheDir().resolveSibling("store").toString(),
                "--to", "file://" + inputAddressedCache, inputAddressed.closureRoot());
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        nix.close();
    }

    private String run(String... args) {
        NixClient.Result result = nix.nix(NIX_CONFIG, args);
        assertThat(result.succeeded()).as("nix %s: %s", String.join(" ", args), result).isTrue();
        return result.stdout();
    }

    private InProcessNcps ncps(Path cacheDir, String query) {
        UpstreamServer upstream = new UpstreamServer(cacheDir);
        toClose.add(upstream);
        InProcessNcps ncps = InProcessNcps.start(URI.create(upstream.url() + query), "", Map.of());
        toClose.add(ncps);
        return ncps;
    }

    private static String hashOf(String storePath) {
        return NixUpstreamCache.hashOf(storePath);
    }

    @Test
    void everyContentAddressNixWroteRecomputesToItsStorePath() throws IOException {
        List<Path> narInfos;
        try (Stream<Path> files = Files.list(caCache)) {
            narInfos = files.filter(f -> f.toString().endsWith(".narinfo")).toList();
        }
        assertThat(narInfos).hasSize(4);
        List<String> forms = new ArrayList<>();
        for (Path file : narInfos) {
            NarInfo narInfo = NarInfo.parse(Files.readString(file));
            assertThat(narInfo.signatures()).isEmpty();
            ContentAddress ca = ContentAddress.parse(narInfo.ca());
            forms.add(narInfo.ca().substring(0, narInfo.ca().lastIndexOf(':')));
            assertThat(ca.storePath(narInfo.storePath().name(), narInfo.references(), narInfo.storePath().hashPart()))
                    .as("%s", file).isEqualTo(narInfo.storePath());
        }
        assertThat(forms).containsExactlyInAnyOrder("fixed:r:sha256", "fixed:sha256", "text:sha256", "text:sha256");
    }

    @Test
    void anUnsignedContentAddressedPathIsCopiedThroughNcpsAndSignedByIt() throws Exception {
        InProcessNcps ncps = ncps(caCache, "");

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), sourcePath);

        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
        NixClient.Result verify = nix.verify(copy.store(), sourcePath, ncps.publicKey());
        assertThat(verify.succeeded()).as("%s", verify).isTrue();
        NarInfo served = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hashOf(sourcePath) + ".narinfo"))));
        assertThat(served.signatures()).singleElement().asString().startsWith("test.local:");
    }

    @Test
    void aTextPathWhoseFileNcpsCannotCheckIsServedWithoutItsSignatureAndTheClientChecksIt() throws Exception {
        InProcessNcps ncps = ncps(caCache, "");

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), textPath);

        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
        assertThat(nix.hasPath(copy.store(), textPath)).isTrue();
        NarInfo served = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hashOf(textPath) + ".narinfo"))));
        assertThat(served.signatures()).isEmpty();
        assertThat(served.ca()).startsWith("text:sha256:");
    }

    /**
     * A hostile upstream keeps a flat path's name and CA (so the path recomputes) but describes and serves the
     * NAR of another file: ncps, which cannot check the file against the address, must not sign it, and the
     * client refuses the content when it imports it.
     */
    @Test
    void aFlatPathServedWithOtherContentIsNeitherSignedByNcpsNorInstalled() throws Exception {
        Path forged = TestDirs.newWorkDir("forged-flat");
        copyTree(caCache, forged);
        Path flatInfo = forged.resolve(hashOf(flatPath) + ".narinfo");
        NarInfo flat = NarInfo.parse(Files.readString(flatInfo));
        NarInfo other = NarInfo.parse(Files.readString(forged.resolve(hashOf(textPath) + ".narinfo")));
        NarInfo lie = new NarInfo(flat.storePath(), other.url(), other.compression(), other.fileHash(), other.fileSize(),
                other.narHash(), other.narSize(), flat.references(), null, null, List.of(), flat.ca());
        Files.writeString(flatInfo, lie.serialize());
        InProcessNcps ncps = ncps(forged, "");

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), flatPath);

        assertThat(copy.succeeded()).as("%s", copy.result()).isFalse();
        assertThat(copy.result().stderr()).contains("ca hash mismatch");
        assertThat(nix.hasPath(copy.store(), flatPath)).isFalse();
        NarInfo served = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + hashOf(flatPath) + ".narinfo"))));
        assertThat(served.signatures()).isEmpty();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    @Test
    void anUnsignedInputAddressedClosureIsRefusedFromAnUpstreamWithoutTheTrustSetting() throws Exception {
        InProcessNcps ncps = ncps(inputAddressedCache, "");

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), inputAddressed.closureRoot());

        assertThat(copy.succeeded()).as("%s", copy.result()).isFalse();
        assertThat(nix.hasPath(copy.store(), inputAddressed.closureRoot())).isFalse();
        assertThat(Http.get(http, ncps.url("/" + hashOf(inputAddressed.closureRoot()) + ".narinfo")).statusCode())
                .as("a refused narinfo is 502, which Nix does not remember").isEqualTo(502);
    }

    @Test
    void anUnsignedInputAddressedClosureIsCopiedFromAnUpstreamDeclaredTrustedWithoutSignatures() {
        InProcessNcps ncps = ncps(inputAddressedCache, "?trust-unsigned=true");

        NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), inputAddressed.closureRoot());

        assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
        NixClient.Result verify = nix.verify(copy.store(), inputAddressed.closureRoot(), ncps.publicKey());
        assertThat(verify.succeeded()).as("%s", verify).isTrue();
    }
}
