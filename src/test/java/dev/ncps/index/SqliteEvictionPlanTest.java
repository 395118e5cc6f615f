package dev.ncps.index;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteEvictionPlanTest extends EvictionPlanTest {
    @TempDir
    Path dir;

    @Override
    IndexConfig freshDatabase() {
        return TestIndexConfigs.sqlite(dir.resolve("index.db"));
    }
}
