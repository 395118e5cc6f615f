package dev.ncps.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Concurrent requests for one key share one piece of work: the first runs it, and those that come while it runs get
 * its future instead, to wait for and read as they need (a result may hold a stream only its runner may use).
 */
final class SingleFlight<R> {
    private final ConcurrentHashMap<String, CompletableFuture<R>> running = new ConcurrentHashMap<>();

    @FunctionalInterface
    interface Work<R, E extends Exception> {
        R run() throws E;
    }

    sealed interface Flight<R> {}

    /** This caller ran the work. */
    record Ran<R>(R result) implements Flight<R> {}

    /** Another caller is running it: its result, or its exception (which that caller logged), once it ends. */
    record Joined<R>(CompletableFuture<R> running) implements Flight<R> {
        /** The runner's result; {@code failed} if it threw, {@code interrupted} if this wait was (the flag is kept). */
        R await(R failed, R interrupted) {
            try {
                return running.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return interrupted;
            } catch (ExecutionException e) {
                return failed;
            }
        }
    }

    <E extends Exception> Flight<R> run(String key, Work<R, E> work) throws E {
        CompletableFuture<R> mine = new CompletableFuture<>();
        CompletableFuture<R> other = running.putIfAbsent(key, mine);
        if (other != null) {
            return new Joined<>(other);
        }
        try {
            R result = work.run();
            mine.complete(result);
            return new Ran<>(result);
        } catch (Exception e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }
}
