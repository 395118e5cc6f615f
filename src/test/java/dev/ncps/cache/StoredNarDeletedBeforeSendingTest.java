package dev.ncps.cache;

import dev.ncps.http.HttpListener;
import dev.ncps.http.HttpServer;
import dev.ncps.http.HttpSettings;
import dev.ncps.index.Index;
import dev.ncps.index.TestIndexConfigs;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A NAR hit whose bytes LRU deletes between the lookup and the opening (a local file here; S3 reports the same
 * NoSuchFileException) is looked up again and fetched anew, rather than answered with a 500.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoredNarDeletedBeforeSendingTest {
    @TempDir
    Path dir;

    @Test
    void theClientGetsTheWholeNarFetchedAgain() throws Exception {
        MemoryUpstream upstream = new MemoryUpstream();
        TestNar nar = TestNar.of("vanishing-1.0", 200_000);
        upstream.publish(nar);
        WatchedStore store = new WatchedStore(new LocalStore(dir.resolve("storage")));
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try (Index index = Index.open(TestIndexConfigs.sqlite(dir.resolve("index.db")));
             HttpClient client = HttpClient.newHttpClient()) {
            Path temp = Files.createDirectories(dir.resolve("downloads"));
            Signer signer = new Signer(SecretKey.generate("vanishing-1"), true);
            Cache cache = new Cache(upstream, store, index, signer,
                    new CacheSettings(temp, 1000, Duration.ofMinutes(1), Duration.ofMinutes(5), 32 * 1024), Clock.systemUTC(),
                    executor, CacheListener.NONE, new ScriptedCoordinator());
            Uploads uploads = new Uploads(cache, store, index, signer, Clock.systemUTC(), temp,
                    new UploadSettings(false, List.of(), false, 1 << 20));
            try (HttpServer server = new HttpServer(new HttpSettings("127.0.0.1", 0, "test.local", false, false, null, null,
                    Duration.ofSeconds(1), false), cache, uploads, Optional.empty(), HttpListener.NONE, Optional.empty())) {
                server.start();
                URI narUrl = URI.create("http://127.0.0.1:" + server.port() + "/nar/" + nar.key().narHash() + ".nar");
                cache.narInfo(nar.hash(), false);
                assertThat(get(client, narUrl).body()).isEqualTo(nar.bytes());
                String key = nar.key().storeKey();
                while (!store.exists(key)) {
                    Thread.sleep(5);
                }

                store.vanishAfterNextLookup(key);
                HttpResponse<byte[]> again = get(client, narUrl);

                assertThat(again.statusCode()).isEqualTo(200);
                assertThat(again.body()).isEqualTo(nar.bytes());
                assertThat(upstream.opens()).isEqualTo(2);
            }
        } finally {
            executor.shutdownNow();
            store.close();
        }
    }

    private static HttpResponse<byte[]> get(HttpClient client, URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
