package dev.ncps.index;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexConfigTest {

    @Test
    void sqliteUrlsNameAnAbsoluteFileAndDropTheQuery() {
        assertThat(IndexConfig.fromUrl("sqlite:/var/lib/ncps/db.sqlite?_fk=1").jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/ncps/db.sqlite");
        assertThat(IndexConfig.fromUrl("sqlite3:///var/lib/ncps/db.sqlite").jdbcUrl()).isEqualTo("jdbc:sqlite:/var/lib/ncps/db.sqlite");
        IndexConfig relative = IndexConfig.fromUrl("sqlite:data/ncps.db");
        assertThat(relative.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(relative.sqliteFile()).isEqualTo(Path.of("data/ncps.db").toAbsolutePath());
    }

    @Test
    void postgresUrlsKeepDriverParametersAndSplitOutCredentials() {
        IndexConfig c = IndexConfig.fromUrl("postgresql://ncps:p%40ss%3Aword@db.example:5433/cache?sslmode=require");
        assertThat(c.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/cache?sslmode=require");
        assertThat(c.user()).isEqualTo("ncps");
        assertThat(c.password()).isEqualTo("p@ss:word");
        assertThat(IndexConfig.fromUrl("postgres://u@h/d").jdbcUrl()).isEqualTo("jdbc:postgresql://h/d");
        assertThat(c.maxOpen()).isEqualTo(25);
        assertThat(c.maxIdle()).isEqualTo(5);
        assertThat(c.toString()).doesNotContain("p@ss");
    }

    @Test
    void mysqlUrlsUseTheMariaDbDriverAndDropGoOnlyOptions() {
        IndexConfig c = IndexConfig.fromUrl("mysql://ncps:secret@127.0.0.1:3306/cache?parseTime=true&sslMode=verify-full");
        assertThat(c.dialect()).isEqualTo(Dialect.MYSQL);
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3306/cache?sslMode=verify-full");
        assertThat(c.user()).isEqualTo("ncps");
        assertThat(c.password()).isEqualTo("secret");
    }

    @Test
    void unixSocketUrlsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> IndexConfig.fromUrl("postgres+unix:///run/postgresql/ncps"))
                .hasMessageContaining("unix socket");
        assertThatThrownBy(() -> IndexConfig.fromUrl("mysql+unix://u:secret@/run/mysqld/mysqld.sock/ncps"))
                .hasMessageContaining("/run/mysqld/mysqld.sock").hasMessageContaining("mysql://")
                .hasMessageNotContaining("secret");
    }

    @Test
    void badUrlsSayWhatIsWrong() {
        assertThatThrownBy(() -> IndexConfig.fromUrl("redis://x/0")).hasMessageContaining("unknown database scheme 'redis'");
        assertThatThrownBy(() -> IndexConfig.fromUrl("postgres://u:secret@host")).hasMessageContaining("names no database")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> IndexConfig.fromUrl("nocolon")).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> IndexConfig.fromUrl("sqlite:")).hasMessageContaining("empty");
        assertThatThrownBy(() -> IndexConfig.fromUrl("sqlite:/x.db").withPool(2, 3)).hasMessageContaining("max idle");
    }

    @Test
    void onlyNarUrlsOfTheCanonicalShapeNameANarFile() {
        assertThat(JdbcIndex.narFileKey("nar/abc123.nar.xz")).contains(new Index.NarFileKey("abc123", dev.ncps.nix.Compression.XZ));
        assertThat(JdbcIndex.narFileKey("nar/abc123.nar")).contains(new Index.NarFileKey("abc123", dev.ncps.nix.Compression.NONE));
        assertThat(JdbcIndex.narFileKey("nar/abc123.nar.zst?hash=x")).isEmpty();
        assertThat(JdbcIndex.narFileKey("https://other/nar/abc123.nar.xz")).isEmpty();
        assertThat(JdbcIndex.narFileKey("nar/abc123.nar.unknown")).isEmpty();
    }
}
