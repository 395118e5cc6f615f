package dev.ncps.index;

import java.util.Optional;
import java.util.function.Consumer;

/** How a narinfo hit reads its text without making the thread that parsed the request wait ({@link Index#narInfoTextSoon}). */
interface HitReads extends AutoCloseable {
    /** Answers exactly once, maybe before returning: the row's text, or empty when the ordinary read must answer. */
    void ask(String hash, Consumer<Optional<String>> answer);

    @Override
    void close();
}
