package dev.ncps.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test starts and must stop whatever it asserts. Registered with {@code @RegisterExtension}, it closes
 * what it was handed after each test, the last first: an ncps before the upstream it talks to, both before the
 * client that talked to them. One close that fails does not keep the others open; its exception is thrown once
 * all are closed. Closing twice must be harmless, since a test may close a server itself (an upstream that goes
 * away) and the closer closes it again.
 */
public final class Closer implements AfterEachCallback {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    public <T extends AutoCloseable> T add(T resource) {
        open.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failure = null;
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
