package dev.ncps.ops;

import dev.ncps.nix.Sizes;
import dev.ncps.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies every object under {@code store/} from one storage to another (local folder or S3 bucket, any
 * direction; the layouts are identical). An object already present with the same size is skipped, so an
 * interrupted copy is finished by running it again; objects appear complete or not at all (atomic puts).
 * Each copy is checked by reading the target's size back. An object present with another size is never
 * overwritten (objects are immutable): it is reported.
 */
public final class MigrateStorage {
    private final Store source;
    private final Store target;
    private final int concurrency;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;

    public record Result(long copied, long copiedBytes, long present, List<String> problems) {}

    public MigrateStorage(Store source, Store target, int concurrency, PrintStream out, PrintStream err, boolean terminal, Clock clock) {
        this.source = source;
        this.target = target;
        this.concurrency = concurrency;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
    }

    public Result run() throws IOException, InterruptedException {
        List<Store.ObjectInfo> objects = new ArrayList<>();
        source.walk("store/", objects::add);
        long totalBytes = objects.stream().mapToLong(Store.ObjectInfo::size).sum();
        AtomicLong copied = new AtomicLong();
        AtomicLong copiedBytes = new AtomicLong();
        AtomicLong present = new AtomicLong();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> work = new ArrayList<>();
        try (Progress progress = new Progress("copying objects", "objects", objects.size(), err, terminal, clock);
             ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, concurrency))) {
            for (Store.ObjectInfo object : objects) {
                work.add(pool.submit(() -> {
                    try {
                        if (copyOne(object)) {
                            copied.incrementAndGet();
                            copiedBytes.addAndGet(object.size());
                        } else {
                            present.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        problems.add(object.key() + ": " + e.getMessage());
                    }
                    progress.add(1, object.size());
                    return null;
                }));
            }
            for (Future<?> future : work) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    throw new IOException(e.getCause());
                }
            }
        }
        problems.forEach(problem -> out.println("not copied: " + problem));
        out.println("migrate-storage summary: " + objects.size() + " objects (" + Sizes.human(totalBytes) + ") in the source; "
                + copied.get() + " copied (" + Sizes.human(copiedBytes.get()) + "), " + present.get()
                + " already present with the same size, " + problems.size() + " not copied");
        out.println(problems.isEmpty() ? "result: the target holds every object of the source, sizes verified"
                : "result: " + problems.size() + " objects not copied; fix the cause and run again");
        return new Result(copied.get(), copiedBytes.get(), present.get(), List.copyOf(problems));
    }

    /** True when copied, false when already there with the same size. */
    private boolean copyOne(Store.ObjectInfo object) throws IOException {
        Optional<Store.Blob> existing = target.get(object.key());
        if (existing.isPresent()) {
            if (existing.get().size() == object.size()) return false;
            throw new IOException("the target already has it with " + existing.get().size() + " bytes instead of "
                    + object.size() + "; objects are never overwritten");
        }
        Store.Blob blob = source.get(object.key())
                .orElseThrow(() -> new IOException("it disappeared from the source while copying"));
        if (blob.localFile().isPresent()) {
            target.put(object.key(), blob.localFile().get());
        } else {
            try (InputStream in = blob.open(0)) {
                target.put(object.key(), in);
            }
        }
        long written = target.get(object.key()).map(Store.Blob::size).orElse(-1L);
        if (written != blob.size()) {
            throw new IOException("the target holds " + written + " bytes after the copy, the source " + blob.size());
        }
        return true;
    }
}
