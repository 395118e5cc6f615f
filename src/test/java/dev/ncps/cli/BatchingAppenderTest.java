package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final RecordingStream out = new RecordingStream();
    private final BatchingAppender appender = new BatchingAppender(new MessageLines(), out);

    BatchingAppenderTest() {
        appender.setContext(context);
        appender.start();
    }

    @AfterEach
    void stop() {
        appender.stop();
    }

    @Test
    void everyLineFromManyThreadsArrivesOnceAndInEachThreadsOrder() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 5_000; i++) {
                    appender.doAppend(event(Level.INFO, thread + " " + i));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        appender.flush();

        Map<Integer, Integer> next = new HashMap<>();
        for (String line : out.lines()) {
            String[] parts = line.split(" ");
            int thread = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).as("line of thread %d", thread).isEqualTo(next.getOrDefault(thread, 0));
            next.put(thread, next.getOrDefault(thread, 0) + 1);
        }
        assertThat(next.values()).hasSize(8).allMatch(count -> count == 5_000);
        assertThat(out.writes.get()).as("writes for 40,000 lines").isLessThan(4_000);
    }

    @Test
    void anInfoLineIsWrittenSoonWithoutAFlush() throws Exception {
        appender.doAppend(event(Level.INFO, "served"));

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (out.lines().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(out.lines()).containsExactly("served");
    }

    @Test
    void aWarningIsWrittenWithTheLinesBeforeItBeforeTheCallReturns() {
        appender.doAppend(event(Level.INFO, "before"));
        appender.doAppend(event(Level.WARN, "upstream down"));

        assertThat(out.lines()).containsExactly("before", "upstream down");
    }

    @Test
    void aStreamThatDoesNotKeepUpMakesLoggersWaitAndLosesNothing() throws Exception {
        out.block();
        String big = "x".repeat(1000);
        int lines = 3 * BatchingAppender.MAX_PENDING / big.length();
        Thread logger = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < lines; i++) {
                appender.doAppend(event(Level.INFO, big));
            }
        });
        logger.join(500);
        assertThat(logger.isAlive()).as("the logger waits for room").isTrue();

        out.unblock();
        logger.join(10_000);
        assertThat(logger.isAlive()).isFalse();
        appender.flush();
        assertThat(out.lines()).hasSize(lines);
    }

    private ILoggingEvent event(Level level, String message) {
        LoggingEvent event = new LoggingEvent();
        event.setLevel(level);
        event.setMessage(message);
        event.setLoggerName("test");
        event.setLoggerContext(context);
        event.setTimeStamp(System.currentTimeMillis());
        return event;
    }

    private static final class MessageLines extends EncoderBase<ILoggingEvent> {
        @Override
        public byte[] headerBytes() {
            return new byte[0];
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            return (event.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return new byte[0];
        }
    }

    /** Keeps what is written and counts the writes; can be made to block like a full pipe. */
    private static final class RecordingStream extends OutputStream {
        final AtomicInteger writes = new AtomicInteger();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile CountDownLatch gate = new CountDownLatch(0);

        void block() {
            gate = new CountDownLatch(1);
        }

        void unblock() {
            gate.countDown();
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writes.incrementAndGet();
            synchronized (bytes) {
                bytes.write(b, off, len);
            }
        }

        List<String> lines() {
            String text;
            synchronized (bytes) {
                text = bytes.toString(StandardCharsets.UTF_8);
            }
            return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
        }
    }
}
