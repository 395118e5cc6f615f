package dev.ncps.index;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexConfigTest {

    @Test
    void theSqliteFileIsTheJdbcUrlsPathWithoutItsQuery() {
        IndexConfig sqlite = new IndexConfig(Dialect.SQLITE, "jdbc:sqlite:/var/lib/ncps/db.sqlite?journal_mode=WAL",
                null, null, 25, 5, true);
        assertThat(sqlite.sqliteFile()).isEqualTo(Path.of("/var/lib/ncps/db.sqlite"));
        assertThat(new IndexConfig(Dialect.POSTGRESQL, "jdbc:postgresql://h/d", null, null, 25, 5, true).sqliteFile()).isNull();
    }

    @Test
    void thePasswordStaysOutOfTheDescription() {
        IndexConfig c = new IndexConfig(Dialect.POSTGRESQL, "jdbc:postgresql://db.example:5433/cache?sslmode=require",
                "ncps", "p@ss:word", 25, 5, true);
        assertThat(c.toString()).contains("user=ncps").doesNotContain("p@ss");
    }

    @Test
    void poolBoundsAreChecked() {
        IndexConfig sqlite = TestIndexConfigs.sqlite(Path.of("/x.db"));
        assertThatThrownBy(() -> sqlite.withPool(2, 3)).hasMessageContaining("max idle");
        assertThatThrownBy(() -> sqlite.withPool(0, 0)).hasMessageContaining("max open");
    }

}
