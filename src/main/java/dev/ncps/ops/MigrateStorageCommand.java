package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.StorageConfig;
import dev.ncps.store.Store;

import java.io.PrintStream;
import java.time.Clock;

/** {@code ncps migrate-storage --from local:DIR|s3://BUCKET --to local:DIR|s3://BUCKET}. */
public final class MigrateStorageCommand {
    private MigrateStorageCommand() {}

    public static int run(StorageConfig from, StorageConfig to, int concurrency, PrintStream out, PrintStream err,
                          boolean terminal) throws Exception {
        try (Store source = Backends.openStore(from); Store target = Backends.openStore(to)) {
            MigrateStorage.Result result = new MigrateStorage(source, target, concurrency, out, err, terminal, Clock.systemUTC()).run();
            return result.problems().isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEMS;
        }
    }
}
