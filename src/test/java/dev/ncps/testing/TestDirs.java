package dev.ncps.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the kit keeps its files: everything lives under the project's target/ so `mvn clean` removes it. */
public final class TestDirs {
    private TestDirs() {}

    /** The project root, as surefire announces it in {@code ncps.repo.root}, else the working directory. */
    public static Path repoRoot() {
        String root = System.getProperty("ncps.repo.root");
        return Path.of(root != null && !root.isBlank() ? root : System.getProperty("user.dir")).toAbsolutePath();
    }

    public static Path target() {
        return repoRoot().resolve("target");
    }

    /** A fresh directory under target/test-work; callers delete it when their fixture closes. */
    public static Path newWorkDir(String prefix) {
        try {
            Path base = Files.createDirectories(target().resolve("test-work"));
            return Files.createTempDirectory(base, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory under " + target(), e);
        }
    }

    /** Deletes a directory tree, ignoring files that vanish meanwhile (a dying server may still write). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A leftover file in target/ is harmless; failing a test over it is not.
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // Same reasoning as above: cleanup is best effort.
        }
    }
}
