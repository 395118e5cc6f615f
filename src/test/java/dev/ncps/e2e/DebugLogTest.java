package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cli.Logging;
import dev.ncps.config.LogLevel;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.UpstreamServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** What {@code --log-level debug} shows of one cold miss: the steps of ncps, and nothing of its libraries. */
@Tag("slow")
class DebugLogTest {
    private static final Pattern LOGGER = Pattern.compile("\"log\\.logger\":\"([^\"]+)\"");
    private static final Pattern MESSAGE = Pattern.compile("\"message\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        Logging.configure(LogLevel.INFO);
    }

    @Test
    void aColdMissLogsItsFetchesVerificationAndLocksAndNoLibraryLines() throws Exception {
        NixUpstreamCache cache = NixUpstreamCache.standard();
        String hash = NixUpstreamCache.hashOf(cache.closureRoot());
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (HttpClient http = Http.client();
             PostgresServer postgres = PostgresServer.start();
             S3Server s3 = S3Server.start("ncps");
             UpstreamServer upstream = new UpstreamServer(cache.cacheDir())) {
            String database = postgres.createDatabase().url();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Logging.configure(LogLevel.DEBUG); // no terminal here: JSON lines
            try (InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(),
                    InProcessNcps.sharedBackends(database, s3, "CACHE_LOCK_BACKEND", "postgres"))) {
                String narInfo = Http.text(Http.get(http, ncps.url("/" + hash + ".narinfo")));
                String narUrl = NarInfo.parse(narInfo).url();
                assertThat(Http.get(http, ncps.url("/" + narUrl)).statusCode()).isEqualTo(200);
            }
        }
        // The test's own servers (S3Proxy, embedded PostgreSQL) run in this JVM and log through the same Logback.
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> !field(LOGGER, line).startsWith("org.gaul.") && !field(LOGGER, line).startsWith("io.zonky."))
                .toList();
        List<String> messages = lines.stream().map(line -> field(MESSAGE, line)).toList();

        assertThat(lines.stream().map(line -> field(LOGGER, line)).distinct())
                .allMatch(logger -> logger.startsWith("dev.ncps.") || logger.equals("ncps.access"));
        assertThat(messages).anyMatch(m -> m.equals("narinfo " + hash + ": asking upstream " + upstreamOf(lines)))
                .anyMatch(m -> m.matches("narinfo " + hash + ": upstream \\S+ sent [0-9.]+ (B|KiB) in \\d+ms, accepted \\(signed .*"))
                .anyMatch(m -> m.matches("acquired download lock download:narinfo:" + hash + " \\(distributed\\) after waiting \\d+ms"))
                .anyMatch(m -> m.matches("released download lock download:narinfo:" + hash + " after \\d+ms"))
                .anyMatch(m -> m.matches("nar/\\w+: fetching [0-9.]+ (B|KiB|MiB) from upstream \\S+"))
                .anyMatch(m -> m.matches("nar/\\w+: fetched [0-9.]+ (B|KiB|MiB) from upstream \\S+ in \\d+ms, verified "
                        + "\\(NarHash and NarSize [0-9.]+ (B|KiB|MiB) match the narinfo\\)"))
                .anyMatch(m -> m.matches("acquired download lock download:nar:\\S+ \\(distributed\\) after waiting \\d+ms"));
    }

    private static String upstreamOf(List<String> lines) {
        return lines.stream().map(line -> field(MESSAGE, line)).filter(m -> m.contains(": asking upstream "))
                .map(m -> m.substring(m.indexOf(": asking upstream ") + ": asking upstream ".length()))
                .findFirst().orElse("?");
    }

    private static String field(Pattern pattern, String line) {
        Matcher matcher = pattern.matcher(line);
        assertThat(matcher.find()).as("an ECS line: %s", line).isTrue();
        return matcher.group(1);
    }
}
