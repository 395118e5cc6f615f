package dev.ncps.index;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link BatchedReads} groups and answers asks, around a reader that stands for one statement. The statements
 * themselves run against every database in {@link IndexContractTest}.
 */
class BatchedReadsTest {

    /** A reader held at its first statement until released, recording the hashes of every statement. */
    private static final class HeldReader implements BatchedReads.Reader {
        final List<List<String>> statements = new CopyOnWriteArrayList<>();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public Map<String, String> texts(List<String> hashes) throws SQLException {
            statements.add(hashes);
            started.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new SQLException(e);
            }
            if (hashes.contains("broken")) throw new SQLException("the server went away");
            Map<String, String> texts = new java.util.HashMap<>();
            for (String hash : hashes) {
                if (!hash.startsWith("absent")) texts.put(hash, "text of " + hash);
            }
            return texts;
        }
    }

    private static final class Answers {
        final List<String> hashes = new ArrayList<>();
        final Map<String, List<Optional<String>>> got = new java.util.concurrent.ConcurrentHashMap<>();
        final CountDownLatch all;

        Answers(int expected) {
            all = new CountDownLatch(expected);
        }

        void ask(BatchedReads reads, String hash) {
            hashes.add(hash);
            reads.ask(hash, text -> {
                got.computeIfAbsent(hash, h -> new CopyOnWriteArrayList<>()).add(text);
                all.countDown();
            });
        }

        void await() throws InterruptedException {
            assertThat(all.await(20, TimeUnit.SECONDS)).as("every ask answered").isTrue();
        }

        /** Until {@code left} answers are still to come. */
        void await(int left) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (all.getCount() > left) {
                assertThat(System.nanoTime()).as("answers in time").isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    @Test
    void asksMadeWhileAStatementRunsShareTheNextOneEachHashOnce() throws Exception {
        HeldReader reader = new HeldReader();
        try (BatchedReads reads = new BatchedReads(reader)) {
            Answers answers = new Answers(12);
            answers.ask(reads, "first");
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++) {
                answers.ask(reads, "h" + i);
                answers.ask(reads, "h" + i);
            }
            answers.ask(reads, "absent");
            reader.release.countDown();
            answers.await();

            assertThat(reader.statements).containsExactly(List.of("first"), List.of("h0", "h1", "h2", "h3", "h4", "absent"));
            assertThat(answers.got.get("h3")).containsExactly(Optional.of("text of h3"), Optional.of("text of h3"));
            assertThat(answers.got.get("absent")).containsExactly(Optional.empty());
            assertThat(answers.got.get("first")).containsExactly(Optional.of("text of first"));
        }
    }

    @Test
    void aStatementTakesAtMostABatchAndTheRestWaitForTheNext() throws Exception {
        HeldReader reader = new HeldReader();
        try (BatchedReads reads = new BatchedReads(reader)) {
            int asks = 1 + BatchedReads.MAX_BATCH + 3;
            Answers answers = new Answers(asks);
            answers.ask(reads, "first");
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < asks; i++) answers.ask(reads, "h" + i);
            reader.release.countDown();
            answers.await();

            assertThat(reader.statements).extracting(List::size).containsExactly(1, BatchedReads.MAX_BATCH, 3);
        }
    }

    @Test
    void aFailedStatementAnswersItsAsksEmptyAndTheNextOneIsRead() throws Exception {
        HeldReader reader = new HeldReader();
        reader.release.countDown();
        try (BatchedReads reads = new BatchedReads(reader)) {
            Answers failed = new Answers(1);
            failed.ask(reads, "broken");
            failed.await();
            assertThat(failed.got.get("broken")).containsExactly(Optional.empty());

            Answers next = new Answers(1);
            next.ask(reads, "h");
            next.await();
            assertThat(next.got.get("h")).containsExactly(Optional.of("text of h"));
        }
    }

    @Test
    void anAnswerThatThrowsDoesNotCostTheOthersOfItsBatchTheirs() throws Exception {
        HeldReader reader = new HeldReader();
        try (BatchedReads reads = new BatchedReads(reader)) {
            Answers answers = new Answers(2);
            answers.ask(reads, "first");
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            reads.ask("throws", text -> {
                throw new IllegalStateException("the connection is gone");
            });
            answers.ask(reads, "after");
            reader.release.countDown();
            answers.await();
            assertThat(answers.got.get("after")).containsExactly(Optional.of("text of after"));
        }
    }

    /** An Error ends the reading thread; the asks left, and every later one, must still be answered. */
    @Test
    void ifTheReadingThreadDiesEveryAskIsStillAnswered() throws Exception {
        HeldReader reader = new HeldReader();
        try (BatchedReads reads = new BatchedReads(reader)) {
            reads.ask("first", text -> {
                throw new StackOverflowError("deep in a response");
            });
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            Answers answers = new Answers(2);
            answers.ask(reads, "queued");
            reader.release.countDown();
            answers.await(1);
            answers.ask(reads, "later");
            answers.await();

            assertThat(answers.got.get("queued")).containsExactly(Optional.empty());
            assertThat(answers.got.get("later")).containsExactly(Optional.empty());
            assertThat(reader.statements).containsExactly(List.of("first"));
        }
    }

    @Test
    void whenTooManyWaitTheNextAskIsAnsweredEmptyAtOnce() throws Exception {
        HeldReader reader = new HeldReader();
        try (BatchedReads reads = new BatchedReads(reader)) {
            Answers waiting = new Answers(1 + BatchedReads.MAX_WAITING);
            waiting.ask(reads, "first");
            assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < BatchedReads.MAX_WAITING; i++) waiting.ask(reads, "h" + i);

            AtomicInteger calls = new AtomicInteger();
            List<Optional<String>> overflow = new CopyOnWriteArrayList<>();
            reads.ask("one too many", text -> {
                calls.incrementAndGet();
                overflow.add(text);
            });
            assertThat(overflow).as("answered before ask returned").containsExactly(Optional.empty());

            reader.release.countDown();
            waiting.await();
            assertThat(waiting.got.get("h" + (BatchedReads.MAX_WAITING - 1))).containsExactly(Optional.of("text of h1023"));
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void closingAnswersWhatWaitsAndLaterAsksAtOnce() throws Exception {
        HeldReader reader = new HeldReader();
        BatchedReads reads = new BatchedReads(reader);
        Answers answers = new Answers(3);
        answers.ask(reads, "first");
        assertThat(reader.started.await(10, TimeUnit.SECONDS)).isTrue();
        answers.ask(reads, "waiting");
        Thread closing = Thread.ofPlatform().start(reads::close);
        Thread.sleep(100);
        reader.release.countDown();
        closing.join(10_000);
        assertThat(closing.isAlive()).as("close returned").isFalse();
        answers.ask(reads, "after close");
        answers.await();

        assertThat(answers.got.get("first")).containsExactly(Optional.of("text of first"));
        assertThat(answers.got.get("waiting")).containsExactly(Optional.empty());
        assertThat(answers.got.get("after close")).containsExactly(Optional.empty());
        assertThat(reader.statements).containsExactly(List.of("first"));
    }
}
