package dev.ncps.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStoreTest extends StoreContractTest {

    @Override
    Store newStore() throws IOException {
        return new LocalStore(work.resolve("root"));
    }

    @Test
    void objectsUseTheGoNcpsLayoutAndAreReadOnlyFiles() throws Exception {
        store.put(KEY, file(bytes(10, 1)));
        Path path = work.resolve("root").resolve(KEY);
        assertThat(store.get(KEY).orElseThrow().localFile()).contains(path);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("r--------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent()))).isEqualTo("rwx------");
        assertThat(work.resolve("root/store/tmp")).isEmptyDirectory();
    }

    @Test
    void aSourceOnTheSameFileSystemIsLinkedNotCopiedAndTheObjectOutlivesIt() throws Exception {
        byte[] content = bytes(300_000, 5);
        Path source = file(content);
        store.put(KEY, source);
        Path object = work.resolve("root").resolve(KEY);
        assertThat(Files.isSameFile(object, source)).isTrue();
        Files.delete(source);
        assertThat(object).hasBinaryContent(content);
        assertThat(work.resolve("root/store/tmp")).isEmptyDirectory();
    }

    @Test
    void deletingTheLastObjectOfAFolderRemovesTheEmptyFolders() throws Exception {
        store.put(KEY, file(bytes(10, 1)));
        store.delete(KEY);
        assertThat(work.resolve("root/store/nar/1")).doesNotExist();
        assertThat(work.resolve("root/store/nar")).isDirectory();
    }

    @Test
    void aTempFileLeftByACrashIsNeverAnObjectAndIsRemovedAtStartOnceStale() throws Exception {
        Path leftover = work.resolve("root/store/tmp/1abc.nar.xz-123.tmp");
        Files.write(leftover, bytes(10, 1));
        Files.setLastModifiedTime(leftover, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(7200)));
        Path inProgress = work.resolve("root/store/tmp/2abc.nar.xz-456.tmp");
        Files.write(inProgress, bytes(10, 2));
        List<String> keys = new ArrayList<>();
        store.walk("", o -> keys.add(o.key()));
        assertThat(keys).isEmpty();
        assertThatThrownBy(() -> store.get("store/tmp/1abc.nar.xz-123.tmp")).isInstanceOf(IllegalArgumentException.class);
        store.close();
        store = newStore();
        assertThat(leftover).doesNotExist();
        assertThat(inProgress).as("another process may be publishing it").exists();
    }

    @Test
    void aRootThatIsAFileIsRefusedWithItsPath() throws Exception {
        Path file = Files.createFile(work.resolve("plain-file"));
        assertThatThrownBy(() -> new LocalStore(file)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not a directory");
    }

    @Test
    void aReadOnlyRootIsRefusedAsNotWritable() throws Exception {
        Path root = work.resolve("readonly");
        new LocalStore(root).close();
        Files.setPosixFilePermissions(root.resolve("store/tmp"), PosixFilePermissions.fromString("r-x------"));
        // root bypasses permission bits; the check is meaningful only for ordinary users
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")));
        assertThatThrownBy(() -> new LocalStore(root)).isInstanceOf(IOException.class).hasMessageContaining("not writable");
    }
}
