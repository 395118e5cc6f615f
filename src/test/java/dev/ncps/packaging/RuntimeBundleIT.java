package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.UpstreamServer;
import dev.ncps.testing.WorkDir;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The runtime bundle as a user gets it: unpacked into a fresh directory, {@code bin/ncps} runs on the Java runtime
 * inside the bundle (not the host's), with the launcher's memory defaults, serves a real {@code nix copy} and exits 0
 * on SIGTERM. These are the commands of docs/installation/bundle.md.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeBundleIT {
    private final RuntimeBundle bundle = RuntimeBundle.built();
    @AutoClose
    private final WorkDir workDir = WorkDir.create("bundle");
    private final Path work = workDir.path();
    private Path home;

    @BeforeAll
    void unpack() {
        home = bundle.unpackInto(work);
    }

    @Test
    void versionNamesTheBuildAndItsGitRevision() {
        String out = run(Map.of(), "--version").strip();

        assertThat(out).matches("ncps " + Pattern.quote(bundle.version())
                + " \\(git ([0-9a-f]{12}(-dirty)?|unknown)\\)");
    }

    @Test
    void theLauncherCapsTheHeapAt128MiBUnlessNcpsJavaOptsSizesIt() {
        // "-version" among the JVM options makes the JVM print its flags and exit before it reaches -jar.
        String defaults = run(Map.of("NCPS_JAVA_OPTS", "-XX:+PrintFlagsFinal -version"));
        String overridden = run(Map.of("NCPS_JAVA_OPTS", "-Xmx300m -XX:+PrintFlagsFinal -version"));

        // This machine has more than 384 MiB, so the cap applies rather than a third of the memory.
        assertThat(maxHeap(defaults)).isEqualTo(128L << 20);
        assertThat(maxHeap(overridden)).isEqualTo(300L << 20);
        assertThat(defaults).containsPattern("ExitOnOutOfMemoryError\\s+= true");
    }

    @Test
    void withItsDefaultHeapTheLauncherPicksTheSerialCollectorUnlessOneIsChosen() {
        String defaults = run(Map.of("NCPS_JAVA_OPTS", "-XX:+PrintFlagsFinal -version"));
        String sized = run(Map.of("NCPS_JAVA_OPTS", "-Xmx300m -XX:+PrintFlagsFinal -version"));
        String chosen = run(Map.of("NCPS_JAVA_OPTS", "-XX:+UseG1GC -XX:+PrintFlagsFinal -version"));

        assertThat(defaults).containsPattern("UseSerialGC\\s+= true");
        // this machine is server-class (2 cores, more than 2 GiB), where the JVM's own choice is G1
        assertThat(sized).containsPattern("UseG1GC\\s+= true").containsPattern("UseSerialGC\\s+= false");
        assertThat(chosen).containsPattern("UseG1GC\\s+= true").containsPattern("UseSerialGC\\s+= false");
        assertThat(maxHeap(chosen)).isEqualTo(128L << 20);
    }

    @Test
    void bundledRuntimeServesANixCopyAndStopsCleanlyOnSigterm() throws IOException, InterruptedException {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        Path data = work.resolve("data");
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             NixClient nix = new NixClient();
             NcpsProcess ncps = NcpsProcess.startLauncher(home.resolve("bin/ncps"), "bundle", port -> List.of("serve",
                     "--server-addr", "127.0.0.1:" + port,
                     "--cache-hostname", "test.local",
                     "--cache-storage-local", data.toString(),
                     "--cache-upstream-url", upstream.url().toString(),
                     "--cache-upstream-public-key", cache.publicKey()), Map.of("HOME", work.toString()), Duration.ofSeconds(60))) {
            // The launcher execs the JVM: the serving process is the bundle's java, not one on the host.
            assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(ncps.pid()), "exe")))
                    .isEqualTo(home.resolve("runtime/bin/java").toRealPath());

            String key = get(ncps.url().resolve("/pubkey")).strip();
            NixClient.Copy copy = nix.copyClosure(ncps.url(), key, cache.closureRoot());
            assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
            assertThat(nix.verify(copy.store(), cache.closureRoot(), key).succeeded()).isTrue();
            // The client commands speak HTTP with the JDK's client: its module must be in the bundle's runtime.
            run(Map.of("HOME", work.toString()), "pins", "--url", ncps.url().toString());

            assertThat(ncps.terminate(Duration.ofSeconds(40))).as("exit code after SIGTERM; log:\n%s", ncps.logTail(20)).isZero();
        }
    }

    @Test
    void theFirstServeTrainsTheAheadOfTimeCacheAndLaterOnesStartFromIt() throws Exception {
        Path cacheFile = work.resolve("aot/ncps.aot");
        Files.createDirectories(cacheFile.getParent());
        Map<String, String> env = Map.of("HOME", work.toString(), "NCPS_CDS_ARCHIVE", cacheFile.toString());
        assertThat(run(env, "--version")).startsWith("ncps ");
        assertThat(cacheFile).as("only serve trains the cache").doesNotExist();

        serveAndStop(env, pid -> assertThat(mappedFiles(pid)).doesNotContain(cacheFile.toString()));
        assertThat(Files.size(cacheFile)).as("written when the first serve exited").isGreaterThan(1 << 20);
        assertThat(Files.readString(Path.of(cacheFile + ".options"))).contains("heap=128");
        java.nio.file.attribute.FileTime trained = Files.getLastModifiedTime(cacheFile);

        serveAndStop(env, pid -> assertThat(mappedFiles(pid)).contains(cacheFile.toString()));
        assertThat(Files.getLastModifiedTime(cacheFile)).as("used, not trained again").isEqualTo(trained);

        Map<String, String> otherOptions = new java.util.HashMap<>(env);
        otherOptions.put("NCPS_JAVA_OPTS", "-Xmx200m");
        serveAndStop(otherOptions, pid -> assertThat(mappedFiles(pid)).doesNotContain(cacheFile.toString()));
        assertThat(Files.readString(Path.of(cacheFile + ".options"))).contains("options=-Xmx200m");
    }

    private void serveAndStop(Map<String, String> env, java.util.function.LongConsumer whileServing) throws Exception {
        try (UpstreamServer upstream = new UpstreamServer(UpstreamServer.newCacheDir("aot-upstream"));
             NcpsProcess ncps = NcpsProcess.startLauncher(home.resolve("bin/ncps"), "bundle", port -> List.of("serve",
                     "--server-addr", "127.0.0.1:" + port,
                     "--cache-hostname", "test.local",
                     "--cache-storage-local", work.resolve("aot-data").toString(),
                     "--cache-upstream-url", upstream.url().toString()), env, Duration.ofSeconds(60))) {
            whileServing.accept(ncps.pid());
            assertThat(ncps.terminate(Duration.ofSeconds(60))).as("exit code after SIGTERM; log:\n%s", ncps.logTail(20)).isZero();
        }
    }

    private static String mappedFiles(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String run(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/ncps").toString()));
        command.addAll(List.of(args));
        return Processes.run("bundle-cli", command, env, work, Duration.ofSeconds(60)).requireSuccess("bin/ncps").output();
    }

    /** The body of a GET that must answer 200. */
    static String get(URI uri) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(200);
            return response.body();
        }
    }

    private static long maxHeap(String flags) {
        Matcher matcher = Pattern.compile("size_t MaxHeapSize\\s+= (\\d+)").matcher(flags);
        assertThat(matcher.find()).as("MaxHeapSize in:\n%s", flags).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
