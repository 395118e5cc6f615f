package dev.ncps.store;

import dev.ncps.store.Store.Blob;
import dev.ncps.store.Store.ObjectInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link Store} contract, run against every backend by the subclasses. */
abstract class StoreContractTest {
    static final String KEY = "store/nar/1/1a/1abc.nar.xz";

    @TempDir
    Path work;
    Store store;

    abstract Store newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    Path file(byte[] content) throws Exception {
        Path f = Files.createTempFile(work, "src", ".bin");
        Files.write(f, content);
        return f;
    }

    static byte[] read(Blob blob, long offset) throws Exception {
        try (InputStream in = blob.open(offset)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aPutObjectCanBeReadCheckedListedAndDeleted() throws Exception {
        byte[] content = bytes(10_000, 1);
        Path source = file(content);
        assertThat(store.exists(KEY)).isFalse();
        assertThat(store.get(KEY)).isEmpty();
        assertThat(store.put(KEY, source)).isTrue();
        assertThat(source).exists();
        assertThat(store.exists(KEY)).isTrue();
        Blob blob = store.get(KEY).orElseThrow();
        assertThat(blob.size()).isEqualTo(content.length);
        assertThat(read(blob, 0)).isEqualTo(content);
        List<ObjectInfo> listed = new ArrayList<>();
        store.walk("store/nar/", listed::add);
        assertThat(listed).containsExactly(new ObjectInfo(KEY, content.length));
        assertThat(store.delete(KEY)).isTrue();
        assertThat(store.delete(KEY)).isFalse();
        assertThat(store.exists(KEY)).isFalse();
    }

    @Test
    void aSecondPutOfAKeyKeepsTheFirstObject() throws Exception {
        assertThat(store.put(KEY, file(bytes(100, 1)))).isTrue();
        assertThat(store.put(KEY, file(bytes(100, 2)))).isFalse();
        assertThat(store.put(KEY, new ByteArrayInputStream(bytes(100, 3)))).isFalse();
        assertThat(read(store.get(KEY).orElseThrow(), 0)).isEqualTo(bytes(100, 1));
    }

    @Test
    void openAtAnOffsetReadsTheRestOfTheObject() throws Exception {
        byte[] content = bytes(5000, 4);
        store.put(KEY, file(content));
        Blob blob = store.get(KEY).orElseThrow();
        assertThat(read(blob, 1234)).isEqualTo(Arrays.copyOfRange(content, 1234, content.length));
        assertThat(read(blob, content.length)).isEmpty();
    }

    @Test
    void readFindsWhatGetFindsAndOpensItFromAnyOffset() throws Exception {
        assertThat(store.read(KEY)).isEmpty();
        byte[] content = bytes(5000, 5);
        store.put(KEY, file(content));
        try (Blob whole = store.read(KEY).orElseThrow()) {
            assertThat(whole.size()).isEqualTo(content.length);
            assertThat(read(whole, 0)).isEqualTo(content);
            assertThat(read(whole, 0)).as("opened again").isEqualTo(content);
        }
        try (Blob tail = store.read(KEY).orElseThrow()) {
            assertThat(read(tail, 1234)).isEqualTo(Arrays.copyOfRange(content, 1234, content.length));
        }
        try (Blob end = store.read(KEY).orElseThrow()) {
            assertThat(read(end, content.length)).isEmpty();
        }
    }

    /** More than any connection pool holds: a blob closed unread must give its connection back. */
    @Test
    void blobsClosedUnreadHoldNothing() throws Exception {
        byte[] content = bytes(300_000, 6);
        store.put(KEY, file(content));
        for (int i = 0; i < 150; i++) {
            store.read(KEY).orElseThrow().close();
        }
        try (Blob blob = store.read(KEY).orElseThrow()) {
            assertThat(read(blob, 0)).isEqualTo(content);
        }
    }

    @Test
    void concurrentPutsOfOneKeyHaveExactlyOneWinner() throws Exception {
        int writers = 6;
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < writers; i++) sources.add(file(bytes(200_000, 7)));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (Path source : sources) {
                results.add(pool.submit(() -> {
                    go.await();
                    return store.put(KEY, source);
                }));
            }
            go.countDown();
        }
        int winners = 0;
        for (Future<Boolean> f : results) winners += f.get() ? 1 : 0;
        assertThat(winners).isEqualTo(1);
        assertThat(read(store.get(KEY).orElseThrow(), 0)).isEqualTo(bytes(200_000, 7));
    }

    @Test
    void aStreamOfUnknownLengthIsStoredWhole() throws Exception {
        byte[] content = bytes(20 * 1024 * 1024 + 12345, 9);
        // An InputStream that does not know its length, delivering odd-sized chunks.
        InputStream stream = new InputStream() {
            private int position;
            @Override public int read() {
                return position < content.length ? content[position++] & 0xff : -1;
            }
            @Override public int read(byte[] b, int off, int len) {
                if (position >= content.length) return -1;
                int n = Math.min(Math.min(len, 777_777), content.length - position);
                System.arraycopy(content, position, b, off, n);
                position += n;
                return n;
            }
        };
        assertThat(store.put(KEY, stream)).isTrue();
        Blob blob = store.get(KEY).orElseThrow();
        assertThat(blob.size()).isEqualTo(content.length);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        assertThat(actual.digest(read(blob, 0))).isEqualTo(expected.digest(content));
    }

    @Test
    void walkVisitsOnlyKeysUnderThePrefix() throws Exception {
        store.put("store/nar/1/1a/1a.nar", file(bytes(1, 1)));
        store.put("store/nar/1/1b/1b.nar", file(bytes(2, 1)));
        store.put("store/nar/2/2a/2a.nar.zst", file(bytes(3, 1)));
        List<String> keys = new ArrayList<>();
        store.walk("store/nar/1/", o -> keys.add(o.key()));
        assertThat(keys).containsExactlyInAnyOrder("store/nar/1/1a/1a.nar", "store/nar/1/1b/1b.nar");
        keys.clear();
        store.walk("store/nar/1/1a", o -> keys.add(o.key()));
        assertThat(keys).containsExactly("store/nar/1/1a/1a.nar");
        keys.clear();
        store.walk("", o -> keys.add(o.key()));
        assertThat(keys).hasSize(3);
    }

    @Test
    void keysThatCouldEscapeTheStoreAreRejected() {
        for (String bad : List.of("../etc/passwd", "store/../../x", "/store/nar/x", "store//x", "store/nar/x/",
                "store/./x", "store/nar/a b", "store/nar/x?y", "")) {
            assertThatThrownBy(() -> store.put(bad, work)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid object key");
            assertThatThrownBy(() -> store.get(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
