package dev.ncps.testing;

import java.nio.file.Path;

/**
 * A fresh directory under target/test-work ({@link TestDirs#newWorkDir}) that is deleted with what it holds when
 * closed: as an {@code @AutoClose} field of a test class, it lives as long as the test instance.
 */
public record WorkDir(Path path) implements AutoCloseable {
    public static WorkDir create(String prefix) {
        return new WorkDir(TestDirs.newWorkDir(prefix));
    }

    @Override
    public void close() {
        TestDirs.deleteTree(path);
    }
}
