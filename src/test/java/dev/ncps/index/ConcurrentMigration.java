package dev.ncps.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Three instances open one fresh database at the same moment; every one must come up, on one schema. */
final class ConcurrentMigration {
    private ConcurrentMigration() {}

    static void check(IndexConfig fresh) throws Exception {
        IndexConfig config = fresh.withPool(2, 0);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Index>> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
            for (int i = 0; i < 3; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return Index.open(config);
                }));
            }
            start.countDown();
        }
        List<Index> indexes = new ArrayList<>();
        try {
            for (Future<Index> f : opened) indexes.add(f.get());
            for (int i = 0; i < indexes.size(); i++) indexes.get(i).configPut("instance-" + i, "up");
            assertThat(indexes.get(0).config("instance-2")).contains("up");
            MigrationReport report = Index.migrate(config, true);
            assertThat(report.pending()).isEmpty();
            assertThat(report.previouslyApplied()).doesNotHaveDuplicates().contains("1");
        } finally {
            indexes.forEach(Index::close);
        }
    }
}
