package dev.ncps.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Objects as files under {@code root}, in the Go ncps layout ({@code store/nar/<n0>/<n0n1>/<N>.nar<ext>}),
 * so a folder written by either program serves the other.
 *
 * <p>Publishing: the bytes go to a temp file in {@code store/tmp} (same file system; a source file on
 * that file system is linked there rather than copied), are fsynced, made read-only, then hard-linked
 * to the final name. {@code link(2)} fails if the name exists, which gives
 * atomic create-if-absent: of two concurrent puts of one key exactly one wins and the object is never
 * seen partial or replaced. The directory is fsynced after the link so the name survives a crash.
 * (A plain rename would silently replace an existing object.) Temp files left by a crash are removed at
 * start; they were never visible as objects.
 *
 * <p>Modes follow the Go ncps: files {@code 0400}, directories {@code 0700}; the server reads its own
 * files, and read-only files cannot be truncated in place by accident while mapped.
 */
public final class LocalStore implements Store {
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("r--------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    /** A concurrent delete can remove a freshly created parent directory; a put then tries again. */
    private static final int LINK_ATTEMPTS = 5;

    private final Path root;
    private final Path store;
    private final Path tmp;
    private final boolean posix;
    private static final java.time.Duration STALE_TEMP = java.time.Duration.ofHours(1);

    /**
     * Creates {@code root} and its {@code store}, {@code store/nar}, {@code store/tmp} folders if missing,
     * removes leftover temp files and checks that files can be written and hard-linked there.
     *
     * @throws IOException saying which check failed for which path
     */
    public LocalStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.store = this.root.resolve("store");
        this.tmp = store.resolve("tmp");
        if (Files.exists(this.root) && !Files.isDirectory(this.root)) {
            throw new IOException("local storage path " + this.root + " exists but is not a directory");
        }
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(store.resolve("nar"));
        } catch (IOException e) {
            throw new IOException("cannot create the local storage folders under " + this.root + ": " + e, e);
        }
        this.posix = Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null;
        cleanTemp();
        probe();
    }

    /**
     * Only files untouched for {@link #STALE_TEMP}: another process on the same folder (a second instance
     * starting, {@code ncps fsck}) must not pull a temp file from under a publish in progress.
     */
    private void cleanTemp() throws IOException {
        long staleBefore = System.currentTimeMillis() - STALE_TEMP.toMillis();
        try (Stream<Path> leftovers = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < staleBefore) Files.deleteIfExists(p);
                } catch (NoSuchFileException e) {
                    // published or removed meanwhile
                }
            }
        }
    }

    private void probe() throws IOException {
        Path file;
        try {
            file = Files.createTempFile(tmp, "probe-", ".tmp");
            Files.writeString(file, "ncps");
        } catch (IOException e) {
            throw new IOException("local storage " + root + " is not writable (cannot create a file in " + tmp + "): " + e, e);
        }
        Path link = tmp.resolve(file.getFileName() + ".link");
        try {
            Files.createLink(link, file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new IOException("local storage " + root + " is on a file system without hard links, which atomic"
                    + " create-if-absent needs: " + e, e);
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(file);
        }
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        Path path = root.resolve(StoreKeys.validate(key)).normalize();
        if (!path.startsWith(store) || path.startsWith(tmp)) {
            throw new IllegalArgumentException("invalid object key '" + key + "': it is outside store/ or inside store/tmp/");
        }
        return path;
    }

    @Override
    public Optional<Blob> get(String key) throws IOException {
        Path path = path(key);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.isRegularFile() ? Optional.of(new FileBlob(path, attributes.size())) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        return get(key).isPresent();
    }

    @Override
    public Optional<Instant> lastModified(String key) throws IOException {
        try {
            return Optional.of(Files.getLastModifiedTime(path(key)).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean put(String key, Path source) throws IOException {
        return publishNew(key, temp -> {
            if (!linkSource(source, temp)) {
                copySource(source, temp);
            }
        });
    }

    /**
     * On the same file system the temp name becomes a second link to the source's bytes: a downloaded
     * NAR is not copied and written to disk a second time before its last byte can be released
     * (docs/benchmarks.md, cold miss). Returns false, leaving no file at {@code temp}, when the source
     * is elsewhere or the file system has no hard links.
     */
    private static boolean linkSource(Path source, Path temp) throws IOException {
        Files.delete(temp);
        try {
            Files.createLink(temp, source);
        } catch (FileSystemException | UnsupportedOperationException e) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ)) {
            channel.force(true);
        }
        return true;
    }

    private static void copySource(Path source, Path temp) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            for (long done = 0; done < size; ) done += in.transferTo(done, size - done, out);
            out.force(true);
        }
    }

    /** Returns false without reading {@code content} when the key already exists. */
    @Override
    public boolean put(String key, InputStream content) throws IOException {
        return publishNew(key, temp -> {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream stream = Channels.newOutputStream(out);
                content.transferTo(stream);
                stream.flush();
                out.force(true);
            }
        });
    }

    /** Fills a temp file with the complete, synced content of an object. */
    private interface TempFiller {
        void fill(Path temp) throws IOException;
    }

    /** Fills a temp file and publishes it under {@code key}; false (nothing filled) if the key exists. */
    private boolean publishNew(String key, TempFiller filler) throws IOException {
        Path target = path(key);
        if (Files.exists(target)) return false;
        Path temp = newTemp(target);
        try {
            filler.fill(temp);
            return publish(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private Path newTemp(Path target) throws IOException {
        return Files.createTempFile(tmp, target.getFileName().toString() + "-", ".tmp");
    }

    private boolean publish(Path temp, Path target) throws IOException {
        if (posix) Files.setPosixFilePermissions(temp, FILE_MODE);
        for (int attempt = 1; ; attempt++) {
            createParents(target.getParent());
            try {
                Files.createLink(target, temp);
                fsyncDirectory(target.getParent());
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (NoSuchFileException e) {
                if (attempt == LINK_ATTEMPTS) throw e;
            }
        }
    }

    private void createParents(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        createParents(dir.getParent());
        try {
            Files.createDirectory(dir);
            if (posix) Files.setPosixFilePermissions(dir, DIR_MODE);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw new IOException("cannot store an object under " + dir + ": it is not a directory", e);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException e) {
            // Some file systems refuse opening directories; the link itself is already done.
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        Path path = path(key);
        if (!Files.deleteIfExists(path)) return false;
        removeEmptyParents(path.getParent());
        return true;
    }

    /** Removes now-empty folders up to, not including, {@code store/nar} (and the other top-level folders). */
    private void removeEmptyParents(Path dir) throws IOException {
        while (dir != null && dir.startsWith(store) && dir.getNameCount() > store.getNameCount() + 1) {
            try {
                Files.delete(dir);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            }
            dir = dir.getParent();
        }
    }

    @Override
    public void walk(String prefix, Consumer<ObjectInfo> visitor) throws IOException {
        StoreKeys.validatePrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) return;
        try (Stream<Path> files = Files.walk(start)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.startsWith(tmp) || !Files.isRegularFile(p)) continue;
                String key = root.relativize(p).toString().replace('\\', '/');
                if (!key.startsWith(prefix)) continue;
                long size;
                try {
                    size = Files.size(p);
                } catch (NoSuchFileException e) {
                    continue; // deleted while walking
                }
                visitor.accept(new ObjectInfo(key, size));
            }
        }
    }

    @Override
    public void close() {
        // nothing held open
    }

    private record FileBlob(Path path, long size) implements Blob {
        @Override
        public InputStream open(long offset) throws IOException {
            if (offset < 0 || offset > size) {
                throw new IOException("offset " + offset + " is outside the object " + path + " of " + size + " bytes");
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            channel.position(offset);
            return Channels.newInputStream(channel);
        }

        @Override
        public Optional<Path> localFile() {
            return Optional.of(path);
        }
    }
}
