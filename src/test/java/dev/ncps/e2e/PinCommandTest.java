package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Cli;
import dev.ncps.config.ConfigLoader;
import dev.ncps.testing.Console;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code ncps pin}, {@code unpin} and {@code pins} against a running ncps that has an upload token. */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PinCommandTest {
    private static final String TOKEN = "cli-upload-token";

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private UpstreamServer upstream;
    private InProcessNcps ncps;
    private final Console console = new Console();

    @BeforeAll
    void start() {
        upstream = new UpstreamServer(cache.cacheDir());
        ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), Map.of("CACHE_UPLOAD_TOKEN", TOKEN));
    }

    @AfterAll
    void stop() {
        ncps.close();
        upstream.close();
    }

    private int run(String... args) {
        console.clear();
        Path dir = TestDirs.newWorkDir("pin-cli");
        Cli cli = new Cli(config -> 1, config -> 1, new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "h"), level -> { },
                console.outStream(), console.errStream());
        return cli.run(args);
    }

    @Test
    void pinWaitsForTheWholeClosureListsItAndUnpinRemovesIt() {
        String root = cache.closureRoot();
        String hash = NixUpstreamCache.hashOf(root);
        String url = ncps.url().toString();

        assertThat(run("pin", "--url", url, root)).as(console.err()).isEqualTo(1);
        assertThat(console.err()).contains("401");

        assertThat(run("pin", "--url", url, "--token", TOKEN, "--wait", root)).as(console.err()).isZero();
        int paths = cache.storePaths().size();
        assertThat(console.out()).isEqualTo(hash + " complete " + paths + "/" + paths + " paths\n");

        assertThat(run("pins", "--url", url, "--token", TOKEN)).isZero();
        assertThat(console.out()).isEqualTo(hash + " complete " + paths + "/" + paths + " paths\n");

        assertThat(run("unpin", "--url", url, "--token", TOKEN, root.substring(root.lastIndexOf('/') + 1))).as(console.err()).isZero();
        assertThat(console.out()).isEqualTo(hash + ": unpinned\n");
        assertThat(run("pins", "--url", url)).isZero();
        assertThat(console.out()).isEmpty();
    }

    @Test
    void aPathNoUpstreamHasFailsWithOneAndBadInputWithTwo() {
        String url = ncps.url().toString();
        assertThat(run("pin", "--url", url, "--token", TOKEN, "0".repeat(32))).isEqualTo(1);
        assertThat(console.err()).contains("404");
        assertThat(run("pin", "--url", url, "not a path")).isEqualTo(2);
        assertThat(console.err()).contains("not a store path or hash");
        assertThat(run("pins", "--url", "ftp://example")).isEqualTo(2);
        assertThat(console.err()).contains("--url");
        assertThat(run("pins", "--url", "http://127.0.0.1:1")).isEqualTo(1);
        assertThat(console.err()).contains("cannot reach");
    }
}
