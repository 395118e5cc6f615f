package dev.ncps.index;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer of one {@link Index#narInfoTextSoon}: it must come exactly once, within seconds. */
final class HitReadAnswers {
    private final CompletableFuture<Optional<String>> answer = new CompletableFuture<>();
    private final AtomicInteger answers = new AtomicInteger();
    private final boolean answeredBeforeReturning;

    private HitReadAnswers(Index index, String hash) {
        index.narInfoTextSoon(hash, text -> {
            answers.incrementAndGet();
            answer.complete(text);
        });
        answeredBeforeReturning = answer.isDone();
    }

    static HitReadAnswers ask(Index index, String hash) {
        return new HitReadAnswers(index, hash);
    }

    static Optional<String> awaited(Index index, String hash) {
        return ask(index, hash).awaited();
    }

    boolean answeredBeforeReturning() {
        return answeredBeforeReturning;
    }

    Optional<String> awaited() {
        try {
            Optional<String> text = answer.get(20, TimeUnit.SECONDS);
            assertThat(answers.get()).as("answers to one ask").isEqualTo(1);
            return text;
        } catch (Exception e) {
            throw new AssertionError("no answer to a hit read: " + e, e);
        }
    }
}
