package dev.ncps.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.index.Dialect;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {
    @ParameterizedTest
    @CsvSource({
            "sqlite:/var/lib/ncps/db.sqlite,        /var/lib/ncps/db.sqlite",
            "sqlite3:/var/lib/ncps/db.sqlite,       /var/lib/ncps/db.sqlite",
            "sqlite:relative.db,                    relative.db",
            "sqlite:///abs/db.sqlite,               /abs/db.sqlite",
            "sqlite3:///abs/db.sqlite,              /abs/db.sqlite",
            "sqlite:/abs/db.sqlite?_journal=WAL,    /abs/db.sqlite",
            "SQLite:/abs/db.sqlite,                 /abs/db.sqlite"})
    void sqliteUrlsNameAFile(String url, String file) throws Exception {
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        assertThat(parsed.dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:sqlite:" + file);
        assertThat(parsed.sqliteFile()).hasValue(Path.of(file));
    }

    @Test
    void postgresUrlKeepsCredentialsOutOfTheJdbcUrl() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://ncps:p%40ss@postgres:5432/ncps?sslmode=require");
        assertThat(url.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://postgres:5432/ncps?sslmode=require");
        assertThat(url.user()).hasValue("ncps");
        assertThat(url.password()).hasValue("p@ss");
        assertThat(url.toString()).doesNotContain("p@ss");
        assertThat(DatabaseUrl.parse("postgres://h/db").jdbcUrl()).isEqualTo("jdbc:postgresql://h/db");
        assertThat(DatabaseUrl.parse("postgres://h/db").user()).isEmpty();
        DatabaseUrl userOnly = DatabaseUrl.parse("postgres://u@h/d");
        assertThat(userOnly.jdbcUrl()).isEqualTo("jdbc:postgresql://h/d");
        assertThat(userOnly.user()).hasValue("u");
        assertThat(userOnly.password()).isEmpty();
    }

    @Test
    void anEncodedColonBelongsToThePassword() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://ncps:p%40ss%3Aword@db.example:5433/cache");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/cache");
        assertThat(url.user()).hasValue("ncps");
        assertThat(url.password()).hasValue("p@ss:word");
    }

    @Test
    void postgresUnixSocketUrlsPointAtTheSocketFile() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("postgres+unix:///var/run/postgresql/ncps");
        assertThat(url.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/ncps?socketFactory=dev.ncps.index.PostgresUnixSocketFactory"
                + "&socketFactoryArg=%2Fvar%2Frun%2Fpostgresql%2F.s.PGSQL.5432");
        assertThat(url.unixSocket()).hasValue(Path.of("/var/run/postgresql/.s.PGSQL.5432"));
        assertThat(url.masked()).isEqualTo("postgresql://localhost/ncps (socket /var/run/postgresql/.s.PGSQL.5432)");
        DatabaseUrl viaHost = DatabaseUrl.parse("postgres://u@/ncps?host=/run/pg&port=5433");
        assertThat(viaHost.unixSocket()).hasValue(Path.of("/run/pg/.s.PGSQL.5433"));
        assertThat(viaHost.user()).hasValue("u");
    }

    @Test
    void mysqlUrlsBecomeMariaDbJdbcUrls() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("mysql://ncps:secret@db:3306/ncps?parseTime=true&loc=UTC&tls=true");
        assertThat(url.dialect()).isEqualTo(Dialect.MYSQL);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:mariadb://db:3306/ncps?tls=true");
        assertThat(url.user()).hasValue("ncps");
        assertThat(url.password()).hasValue("secret");
    }

    @Test
    void mysqlUnixSocketUrlsNameTheSocketFactoryAndTheFile() throws Exception {
        DatabaseUrl url = DatabaseUrl.parse("mysql+unix://ncps:pw@/run/mysqld/mysqld.sock/ncps?parseTime=true");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:mariadb://localhost/ncps?socketFactory=dev.ncps.index.MariaDbUnixSocketFactory"
                + "&ncpsUnixSocket=/run/mysqld/mysqld.sock");
        assertThat(url.unixSocket()).hasValue(Path.of("/run/mysqld/mysqld.sock"));
        assertThat(url.masked()).isEqualTo("mysql://ncps:***@localhost/ncps (socket /run/mysqld/mysqld.sock)");
        assertThat(DatabaseUrl.parse("mysql://u:p@/ncps?socket=/tmp/m.sock").unixSocket()).hasValue(Path.of("/tmp/m.sock"));
        assertThat(DatabaseUrl.parse("mysql://u:p@/ncps?unix_socket=/tmp/m.sock").unixSocket()).hasValue(Path.of("/tmp/m.sock"));
        assertThat(DatabaseUrl.parse("mysql://u:p@/ncps?host=/tmp/m.sock").unixSocket()).hasValue(Path.of("/tmp/m.sock"));
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:p@/ncps?socket=/tmp/a%26b.sock"))
                .hasMessageContaining("the socket path /tmp/a&b.sock contains '&'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/var/db.sqlite", "sqlite:", "sqlite://relative.db", "oracle://h/db", "postgres://h",
            "postgres://h/", "postgres:/h/db", "mysql://:3306/db", "postgres+tcp://h/db", "postgres+unix://h/db",
            "postgres+unix:///db", "sqlite+unix:/x.db", "postgres://h:port/db", "postgres://u:secret@host"})
    void malformedUrlsAreRejectedWithTheAllowedForms(String url) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url)).hasMessageStartingWith("expected " + DatabaseUrl.FORM + " (")
                .hasMessageNotContaining("secret");
    }

    @Test
    void sqliteFactoryIsTheDefaultForm() {
        assertThat(DatabaseUrl.sqlite(Path.of("/d/db/db.sqlite")))
                .isEqualTo(new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:/d/db/db.sqlite", Optional.empty(), Optional.empty(), Optional.empty()));
    }
}
