package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.nix.NarInfo;
import dev.ncps.testing.MariaDbServer;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.SqlDatabase;
import dev.ncps.testing.UpstreamServer;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * serve with its index on a database server that has no TCP listener, configured with the Go ncps's
 * {@code postgres+unix://} and {@code mysql+unix://} URLs: a narinfo and its NAR are served, then served
 * again from the cache without the upstream.
 */
@Tag("slow")
class UnixSocketDatabaseTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String root = NixUpstreamCache.hashOf(cache.closureRoot());

    @Test
    void servesOverAPostgresqlSocket() throws Exception {
        try (PostgresServer postgres = PostgresServer.startSocketOnly()) {
            SqlDatabase db = postgres.createDatabase();
            assertThat(db.url()).startsWith("postgres+unix://");
            servesAndCaches(db.url());
        }
    }

    @Test
    void servesOverAMariaDbSocket() throws Exception {
        try (MariaDbServer mariadb = MariaDbServer.startSocketOnly("serve")) {
            SqlDatabase db = mariadb.createDatabase();
            assertThat(db.url()).startsWith("mysql+unix://");
            servesAndCaches(db.url());
        }
    }

    private void servesAndCaches(String databaseUrl) throws Exception {
        try (UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_DATABASE_URL", databaseUrl));
             HttpClient http = Http.client()) {
            for (int round = 0; round < 2; round++) {
                String url = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + root + ".narinfo")))).url();
                assertThat(Http.get(http, ncps.url("/" + url)).body()).isEqualTo(Files.readAllBytes(cache.narFile(root)));
                if (round == 0) upstream.resetCounts();
            }
            assertThat(upstream.counts()).as("the second round is served from the index and storage").isEmpty();
        }
    }
}
