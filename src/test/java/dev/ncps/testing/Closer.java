package dev.ncps.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test starts and must stop whatever it asserts: {@link #add} returns what it is given and {@link #close()}
 * closes all of it, the last first (an ncps before the upstream it talks to, both before the client that talked to
 * them). One close that fails does not keep the others open; its exception is thrown once all are closed. Closing
 * twice must be harmless, since a test may close a server itself (an upstream that goes away) and the closer
 * closes it again.
 *
 * <p>Registered with {@code @RegisterExtension} it closes after each test; as an {@code @AutoClose} field of a
 * {@code PER_CLASS} test, once after all of them.
 */
public final class Closer implements AfterEachCallback, AutoCloseable {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();

    public <T extends AutoCloseable> T add(T resource) {
        open.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
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
