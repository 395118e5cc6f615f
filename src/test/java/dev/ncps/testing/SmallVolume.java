package dev.ncps.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tmpfs of a fixed size mounted on a fresh directory, to run a component on a volume that fills up and is
 * freed again. Mounting needs root (or CAP_SYS_ADMIN); {@link #unavailable()} says why it cannot be done here,
 * so a test can skip with that reason instead of passing without trying.
 */
public final class SmallVolume implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final Path filler;

    private SmallVolume(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Empty when a tmpfs can be mounted here, else the reason it cannot. */
    public static Optional<String> unavailable() {
        try (SmallVolume probe = mount(1024 * 1024)) {
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of("cannot mount a tmpfs on this machine (needs root): " + e.getMessage());
        }
    }

    /** Mounts a tmpfs of {@code bytes} on a new directory under target/test-work. */
    public static SmallVolume mount(long bytes) {
        Path dir = TestDirs.newWorkDir("volume");
        Processes.Completed result = Processes.run("mount-tmpfs", List.of("mount", "-t", "tmpfs", "-o",
                "size=" + bytes + ",mode=0755", "tmpfs", dir.toString()), Map.of(), dir, COMMAND_TIMEOUT);
        if (result.exitCode() != 0) {
            TestDirs.deleteTree(dir);
            throw new IllegalStateException("mount -t tmpfs failed: " + result.output().strip());
        }
        return new SmallVolume(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes a file until the volume has no space left. */
    public void fill() {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw new UncheckedIOException("filling " + dir + " failed otherwise than with a full disk", full);
            }
        }
        // A last partial block may still fit; take it too, so no write at all succeeds.
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < block.length; i++) {
                out.write(0);
                out.flush();
            }
        } catch (IOException expected) {
            // full to the last byte
        }
    }

    /** Removes what {@link #fill()} wrote. */
    public void free() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Processes.run("umount-tmpfs", List.of("umount", "-l", dir.toString()), Map.of(), dir.getParent(), COMMAND_TIMEOUT);
        TestDirs.deleteTree(dir);
    }
}
