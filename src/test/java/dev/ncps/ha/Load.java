package dev.ncps.ha;

import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Client threads fetching narinfo + NAR (verified) in a loop until closed, counting every failure. */
final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger succeeded = new AtomicInteger();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads;

    Load(URI base, List<String> hashes, int threadCount) {
        Closure closure = new Closure();
        this.threads = java.util.stream.IntStream.range(0, threadCount).mapToObj(n -> Thread.ofPlatform().name("load-" + n).start(() -> {
            int i = n;
            while (running.get()) {
                String hash = hashes.get(i++ % hashes.size());
                try {
                    Closure.NarRef nar = closure.narInfo(base, hash);
                    String sha = closure.narSha256(base, nar);
                    if (!sha.equals(nar.fileHash())) {
                        failures.add(System.currentTimeMillis() + " " + nar.path() + ": sha256 " + sha + " != " + nar.fileHash());
                    } else {
                        succeeded.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add(System.currentTimeMillis() + " " + hash + ": " + e);
                }
            }
        })).toList();
    }

    int succeeded() {
        return succeeded.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}
