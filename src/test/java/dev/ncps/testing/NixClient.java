package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs Debian's real nix CLI (2.8) against an HTTP binary cache. Every call gets its own HOME, XDG and NIX_*
 * directories and a NIX_CONFIG naming exactly one cache and one key, so nothing from /etc/nix, ~/.config or
 * nix's narinfo disk cache leaks between calls; stores are fresh chroot stores under the client's directory.
 */
public final class NixClient implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final Path workDir;
    private final Duration timeout;
    private final List<String> extraConfig;
    private final AtomicInteger sequence = new AtomicInteger();

    /** A client with its own work directory under target/test-work and the default 2-minute call timeout. */
    public NixClient() {
        this(TestDirs.newWorkDir("nix-client"), DEFAULT_TIMEOUT, List.of());
    }

    /**
     * @param extraConfig more nix.conf lines for every call, e.g. {@code "download-attempts = 3"}; they come
     *                    after the defaults and so override them
     */
    public NixClient(Path workDir, Duration timeout, List<String> extraConfig) {
        Installer.ensure("nix");
        this.workDir = workDir;
        this.timeout = timeout;
        this.extraConfig = List.copyOf(extraConfig);
    }

    /** The output of one nix call. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** A local chroot store: the store lives at root/nix/store, its database under root/nix/var/nix. */
    public record LocalStore(Path root) {
        public Path storeDir() {
            return root.resolve("nix/store");
        }
    }

    /** The outcome of a copy, with the store it copied into. */
    public record Copy(Result result, LocalStore store) {
        public boolean succeeded() {
            return result.succeeded();
        }
    }

    public LocalStore newStore() {
        return new LocalStore(freshDir("store"));
    }

    /** {@code nix copy --from cacheUrl} of {@code storePath}'s closure into a fresh store, trusting only this key. */
    public Copy copyClosure(URI cacheUrl, String publicKey, String storePath) {
        LocalStore store = newStore();
        return new Copy(copyClosure(cacheUrl, publicKey, storePath, store), store);
    }

    /** Like {@link #copyClosure(URI, String, String)} into an existing store. */
    public Result copyClosure(URI cacheUrl, String publicKey, String storePath, LocalStore store) {
        return nix(config(cacheUrl.toString(), publicKey),
                "copy", "--from", cacheUrl.toString(), "--to", store.root().toString(), storePath);
    }

    /**
     * Checks the closure of {@code storePath} in {@code store}: contents against the recorded NAR hashes, and at
     * least one signature by {@code publicKey}.
     */
    public Result verify(LocalStore store, String storePath, String publicKey) {
        return nix(config("", publicKey),
                "store", "verify", "--store", store.root().toString(), "-r", "--sigs-needed", "1", storePath);
    }

    /** Whether {@code storePath} is registered as valid in {@code store}. */
    public boolean hasPath(LocalStore store, String storePath) {
        Result result = nix(config("", ""), "path-info", "--store", store.root().toString(), storePath);
        return result.succeeded() && result.stdout().strip().equals(storePath);
    }

    /** Runs {@code nix args...} with the isolated environment and the given nix.conf lines. */
    public Result nix(List<String> configLines, String... args) {
        Path home = freshDir("home");
        List<String> command = new ArrayList<>(List.of("nix"));
        command.addAll(List.of(args));
        try {
            Path conf = Files.createDirectories(home.resolve("etc-nix"));
            Path stdout = home.resolve("stdout");
            Path stderr = home.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(key -> key.startsWith("NIX_") || key.startsWith("XDG_"));
            env.putAll(isolatedEnv(home, conf, configLines));
            int exit = Processes.start("nix-" + args[0], builder, stderr).awaitExit(timeout);
            return new Result(exit, Files.readString(stdout), Files.readString(stderr));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        }
    }

    private List<String> config(String substituter, String publicKey) {
        List<String> lines = new ArrayList<>(List.of(
                "experimental-features = nix-command",
                "substituters = " + substituter,
                "trusted-public-keys = " + publicKey,
                "require-sigs = true",
                "fallback = false",
                "max-jobs = 0",
                "build-users-group =",
                "sandbox = false",
                "fsync-metadata = false",
                "connect-timeout = 5",
                "stalled-download-timeout = 20",
                // One attempt keeps failure tests fast and makes every retry visible to the caller.
                "download-attempts = 1"));
        lines.addAll(extraConfig);
        return lines;
    }

    private static Map<String, String> isolatedEnv(Path home, Path conf, List<String> configLines) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_STATE_HOME", home.resolve(".local/state").toString());
        env.put("XDG_CONFIG_DIRS", conf.toString());
        env.put("NIX_CONF_DIR", conf.toString());
        env.put("NIX_USER_CONF_FILES", conf.resolve("none.conf").toString());
        env.put("NIX_STATE_DIR", home.resolve("nix-state").toString());
        env.put("NIX_LOG_DIR", home.resolve("nix-log").toString());
        env.put("NIX_CONFIG", String.join("\n", configLines));
        return env;
    }

    private Path freshDir(String kind) {
        try {
            return Files.createDirectories(workDir.resolve(kind + "-" + sequence.incrementAndGet()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under " + workDir, e);
        }
    }

    /** Deletes the work directory with all stores this client made. */
    @Override
    public void close() {
        TestDirs.deleteTree(workDir);
    }
}
