package dev.ncps.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** For tests of calls into something that stopped answering, which must fail by themselves instead of hanging. */
public final class Stalls {
    private Stalls() {
    }

    /**
     * What {@code call}, run on another thread, failed with; an assertion error if it returned, or if it was still
     * running after {@code limit} (it is left running: the test's cleanup must release what it waits for).
     */
    public static Throwable failureWithin(Duration limit, Callable<?> call) throws InterruptedException {
        CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
            try {
                return call.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            Object result = running.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the call returned " + result + " instead of failing");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the call was still waiting after " + limit);
        }
    }
}
