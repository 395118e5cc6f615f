package dev.ncps.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * This instance's folder for downloads and uploads in progress, {@code <temp-path>/ncps-downloads/<id>/}, owned
 * for the life of the process through an exclusive lock on {@code <id>.lock} beside it.
 *
 * <p>The operating system drops a file lock when its process ends, however it ends (kill -9, out of memory,
 * power loss), so at startup a sibling whose lock can be taken belongs to a dead instance and its partial files
 * are removed at once, also when several instances share the temp path; a live instance's files are never
 * touched. Other files directly in {@code ncps-downloads} come from versions without this layout, or from an
 * instance that died in the instant between creating its lock file and naming it; they are removed once an hour
 * old, as those versions did.
 */
final class InstanceTempDir implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InstanceTempDir.class);
    static final String PARENT = "ncps-downloads";
    private static final String LOCK_SUFFIX = ".lock";
    private static final String CLAIM_SUFFIX = ".claim";
    private static final Duration STALE = Duration.ofHours(1);

    private final Path dir;
    private final Path lockFile;
    private final FileChannel channel;

    private InstanceTempDir(Path dir, Path lockFile, FileChannel channel) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.channel = channel;
    }

    /** Claims a new folder under {@code tempPath}, after removing what dead instances left there. */
    static InstanceTempDir create(Path tempPath) throws IOException {
        Path parent = tempPath.resolve(PARENT);
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException("cache.temp-path: " + tempPath + " is not a writable directory: " + e.getMessage(), e);
        }
        removeLeftovers(parent);
        String id = "instance-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path claim = parent.resolve(id + CLAIM_SUFFIX);
        Path lockFile = parent.resolve(id + LOCK_SUFFIX);
        FileChannel channel;
        try {
            channel = FileChannel.open(claim, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cache.temp-path: " + tempPath + " is not a writable directory: " + e.getMessage(), e);
        }
        try {
            // A sibling's sweep takes the lock of any *.lock file it finds to see whether its owner lives, so the
            // file is locked under a name the sweep leaves alone and only then renamed: the lock stays with the
            // file. Locked under its final name, it could be swept between its creation and its lock.
            if (channel.tryLock() == null) {
                throw new IOException("cannot lock the new file " + claim);
            }
            Files.move(claim, lockFile, StandardCopyOption.ATOMIC_MOVE);
            // The lock is held before the folder exists, so no one can take the folder for a dead instance's.
            Path dir = Files.createDirectory(parent.resolve(id));
            return new InstanceTempDir(dir, lockFile, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(claim);
            Files.deleteIfExists(lockFile);
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    /** Removes this instance's folder (downloads are over by now) and gives up its lock. */
    @Override
    public void close() throws IOException {
        try {
            deleteTree(dir);
            Files.deleteIfExists(lockFile);
        } finally {
            channel.close();
        }
    }

    private static void removeLeftovers(Path parent) throws IOException {
        long staleBefore = System.currentTimeMillis() - STALE.toMillis();
        for (Path entry : list(parent)) {
            String name = entry.getFileName().toString();
            try {
                if (name.endsWith(LOCK_SUFFIX)) {
                    removeIfOwnerDead(entry, parent.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length())));
                } else if (Files.isDirectory(entry)) {
                    if (!Files.exists(parent.resolve(name + LOCK_SUFFIX))) {
                        removeLeft(entry, "a folder without owner");
                    }
                } else if (Files.isRegularFile(entry) && Files.getLastModifiedTime(entry).toMillis() < staleBefore) {
                    removeLeft(entry, name.endsWith(CLAIM_SUFFIX) ? "an instance that died starting"
                            : "an interrupted download");
                }
            } catch (NoSuchFileException e) {
                // Its owner or a sibling starting at the same time removed it meanwhile.
            }
        }
    }

    private static void removeIfOwnerDead(Path lockFile, Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return; // another instance in this JVM (tests) owns it
            }
            if (lock == null) {
                return; // a live process owns it
            }
            if (Files.exists(dir)) {
                removeLeft(dir, "an instance that ended without cleaning up");
            }
            Files.deleteIfExists(lockFile);
        }
    }

    private static void removeLeft(Path path, String by) throws IOException {
        if (deleteTree(path)) {
            log.info("removed {} left by {}", path, by);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }

    /** Whether there was anything to delete; a sibling may be deleting the same tree, so parts may vanish. */
    private static boolean deleteTree(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (NoSuchFileException e) {
            return false;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        boolean deleted = false;
        for (Path path : paths) {
            deleted |= Files.deleteIfExists(path);
        }
        return deleted;
    }
}
