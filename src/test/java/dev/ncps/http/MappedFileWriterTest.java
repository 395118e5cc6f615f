package dev.ncps.http;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappedFileWriterTest {
    @TempDir
    Path work;

    private Path file(byte[] content) throws IOException {
        Path f = work.resolve("nar");
        Files.write(f, content);
        return f;
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void aRangeSpanningSeveralWindowsArrivesWholeWithTheLastWriteMarkedLast() throws Exception {
        byte[] content = random(3500);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] lastFlags = new int[2];   // writes not marked last, writes marked last
        Content.Sink sink = (last, buffer, callback) -> {
            lastFlags[last ? 1 : 0]++;
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk);
            out.writeBytes(chunk);
            callback.succeeded();
        };
        FutureCallback done = new FutureCallback();
        MappedFileWriter.write(sink, done, file(content), 250, 3000, 1000);
        done.get(5, TimeUnit.SECONDS);
        assertThat(out.toByteArray()).isEqualTo(Arrays.copyOfRange(content, 250, 3250));
        assertThat(lastFlags).containsExactly(2, 1);
    }

    @Test
    void aWindowStaysMappedUntilAnAsynchronousSinkHasSentIt() throws Exception {
        byte[] content = random(10_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        try {
            // The sink reads each buffer only after returning, as a socket write that did not complete at once.
            Content.Sink sink = (last, buffer, callback) -> later.schedule(() -> {
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                out.writeBytes(chunk);
                callback.succeeded();
            }, 5, TimeUnit.MILLISECONDS);
            FutureCallback done = new FutureCallback();
            MappedFileWriter.write(sink, done, file(content), 0, content.length, 4096);
            done.get(5, TimeUnit.SECONDS);
            assertThat(out.toByteArray()).isEqualTo(content);
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void aFailedWriteFailsTheResponseCallbackWithItsCause() throws Exception {
        IOException reset = new IOException("connection reset by peer");
        Content.Sink sink = (last, buffer, callback) -> callback.failed(reset);
        FutureCallback done = new FutureCallback();
        MappedFileWriter.write(sink, done, file(random(5000)), 0, 5000, 1000);
        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(reset);
    }

    @Test
    void anEmptyRangeIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path f = file(random(10));
        Content.Sink sink = (last, buffer, callback) -> { throw new AssertionError("nothing may be written"); };
        assertThatThrownBy(() -> MappedFileWriter.write(sink, Callback.NOOP, f, 0, 0, 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length and window must be positive");
    }
}
