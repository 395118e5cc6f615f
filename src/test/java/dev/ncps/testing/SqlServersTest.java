package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class SqlServersTest {
    @Test
    void postgresHandsOutSeparateDatabasesReachableWithTheirUser() throws SQLException {
        try (PostgresServer postgres = PostgresServer.start()) {
            SqlDatabase first = postgres.createDatabase();
            SqlDatabase second = postgres.createDatabase();

            assertThat(first.name()).isNotEqualTo(second.name());
            assertThat(first.url()).isEqualTo("postgresql://" + first.user() + ":" + first.password()
                    + "@127.0.0.1:" + postgres.port() + "/" + first.name());
            assertThat(roundTrip(first)).isEqualTo(42);
            assertThat(roundTrip(second)).isEqualTo(42);
        }
    }

    @Test
    void mariaDbServesAPasswordUserAndKeepsDataAcrossARestart() throws SQLException {
        try (MariaDbServer mariadb = MariaDbServer.start("kit")) {
            SqlDatabase db = mariadb.createDatabase();
            assertThat(db.url()).startsWith("mysql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + mariadb.port());
            assertThat(roundTrip(db)).isEqualTo(42);

            mariadb.stop();
            assertThat(mariadb.isRunning()).isFalse();
            mariadb.start();

            try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                 Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("SELECT n FROM kit")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void socketOnlyServersServeTheirDatabasesOnTheSocketAndListenOnNoPort() throws SQLException {
        try (PostgresServer postgres = PostgresServer.startSocketOnly();
             MariaDbServer mariadb = MariaDbServer.startSocketOnly("socket")) {
            SqlDatabase pg = postgres.createDatabase();
            assertThat(pg.url()).isEqualTo("postgres+unix://" + pg.user() + ":" + pg.password() + "@"
                    + postgres.socketDirectory() + "/" + pg.name() + "?port=" + postgres.port());
            assertThat(roundTrip(pg)).isEqualTo(42);
            assertThat(listens(postgres.port())).isFalse();

            SqlDatabase my = mariadb.createDatabase();
            assertThat(my.url()).startsWith("mysql+unix://" + my.user() + ":" + my.password() + "@/").endsWith(".sock/" + my.name());
            assertThat(roundTrip(my)).isEqualTo(42);
            assertThat(listens(mariadb.port())).isFalse();
        }
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(Processes.LOOPBACK, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates a table as the database's own user, writes a row and reads it back. */
    private static int roundTrip(SqlDatabase db) throws SQLException {
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE kit (n INTEGER)");
            sql.execute("INSERT INTO kit VALUES (42)");
            try (ResultSet rows = sql.executeQuery("SELECT n FROM kit")) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
