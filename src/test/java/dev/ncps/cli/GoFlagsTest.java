package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.Loaded;
import dev.ncps.config.Option;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every flag, environment variable and config key of the Go ncps (src/test/resources/go-ncps/flags.tsv)
 * is accepted by ncps-java: a Go command line, environment or config file never makes ncps exit with
 * "unknown option". Options of features ncps-java does not have are accepted with one warning each.
 */
class GoFlagsTest {
    private static final String KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    private static final List<String> SERVE = List.of("serve", "--cache-hostname", "h",
            "--cache-upstream-url", "https://cache.nixos.org", "--cache-upstream-public-key", KEY);

    record GoFlag(String flag, String env, String key) {
        @Override
        public String toString() {
            return flag;
        }
    }

    @TempDir
    Path dir;
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    static List<GoFlag> goFlags() throws IOException {
        try (InputStream in = GoFlagsTest.class.getResourceAsStream("/go-ncps/flags.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .map(l -> l.split("\t"))
                    .map(f -> new GoFlag(f[0].substring(2), dash(f[1]), dash(f[2])))
                    .toList();
        }
    }

    private static String dash(String text) {
        return text.equals("-") ? null : text;
    }

    private static Optional<Option<?>> optionWithFlag(String flag) {
        return Options.ALL.stream().filter(o -> o.flag().equals(flag)).findFirst();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goFlags")
    void everyGoFlagIsDeclaredWithTheGoEnvironmentVariableAndKey(GoFlag go) {
        Optional<Option<?>> option = optionWithFlag(go.flag());
        assertThat(option).as("--%s is declared in Options", go.flag()).isPresent();
        if (go.env() != null) {
            assertThat(option.get().env()).as("environment variable of --%s", go.flag()).isEqualTo(go.env());
        }
        if (go.key() != null) {
            assertThat(option.get().allKeys()).as("config keys of --%s", go.flag()).contains(go.key());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goFlags")
    void everyGoFlagIsAcceptedOnTheServeCommandLine(GoFlag go) {
        Option<?> option = optionWithFlag(go.flag()).orElseThrow();
        List<String> args = new ArrayList<>(SERVE);
        if (!go.flag().equals("config")) {
            args.add("--" + go.flag() + "=" + sample(option));
        }
        run(Map.of(), args.toArray(String[]::new));
        assertThat(err()).doesNotContain("Unknown option").doesNotContain("Unmatched argument");
    }

    @Test
    void optionsOfFeaturesNcpsJavaLacksLoadWithOneWarningEach() throws IOException, ConfigException {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                cache:
                  cdc:
                    enabled: false
                  inflight-staging:
                    enabled: false
                """);
        Map<String, String> env = Map.of("PPROF_ADDR", ":6060", "USE_XZ_BINARY", "true");
        List<String> warnings = load(env, Map.of(Options.CONFIG, List.of(config.toString()),
                optionWithFlag("analytics-reporting-enabled").orElseThrow(), List.of("false"),
                optionWithFlag("log-console-writer-enabled").orElseThrow(), List.of("true"))).warnings();
        assertThat(warnings).filteredOn(w -> w.contains("cache.cdc.enabled")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("cache.inflight-staging.enabled")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("PPROF_ADDR")).singleElement().asString().contains("JFR");
        assertThat(warnings).filteredOn(w -> w.contains("USE_XZ_BINARY")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("--analytics-reporting-enabled")).hasSize(1);
        assertThat(warnings).filteredOn(w -> w.contains("--log-console-writer-enabled")).hasSize(1);
    }

    @Test
    void theDeprecatedUpstreamTimeoutVariablesSetTheNewOptions() throws ConfigException {
        Loaded<ServeConfig> loaded = load(Map.of("UPSTREAM_DIALER_TIMEOUT", "7s", "UPSTREAM_RESPONSE_HEADER_TIMEOUT", "9s"), Map.of());
        assertThat(loaded.config().upstream().options().dialTimeout()).hasSeconds(7);
        assertThat(loaded.config().upstream().options().responseHeaderTimeout()).hasSeconds(9);
        assertThat(loaded.warnings()).anyMatch(w -> w.contains("UPSTREAM_DIALER_TIMEOUT") && w.contains("deprecated"));
    }

    @Test
    void anUnknownFlagGetsADidYouMean() {
        List<String> args = new ArrayList<>(SERVE);
        args.add("--cache-upstrem-url=https://example.org");
        assertThat(run(Map.of(), args.toArray(String[]::new))).isEqualTo(Cli.USAGE);
        assertThat(err()).contains("Unknown option: '--cache-upstrem-url=https://example.org'")
                .contains("did you mean --cache-upstream-url?");
    }

    /** A value each option's type accepts. */
    private static String sample(Option<?> option) {
        return switch (option.type().name()) {
            case "bool" -> "true";
            case "duration" -> "5s";
            case "integer", "non-negative integer" -> "1";
            default -> switch (option.flag()) {
                case "log-level" -> "info";
                case "cache-database-url" -> "sqlite:/tmp/ncps-go-flags-test.db";
                case "cache-storage-s3-endpoint" -> "http://127.0.0.1:9000";
                case "cache-lru-schedule", "cache-cdc-lazy-recovery-schedule", "cache-cdc-lazy-cleanup-schedule" -> "@every 1h";
                case "cache-lru-schedule-timezone" -> "UTC";
                case "cache-max-size" -> "10G";
                case "cache-upstream-url", "upstream-cache" -> "https://cache.nixos.org";
                case "cache-upstream-public-key", "upstream-public-key", "cache-trusted-upload-key" -> KEY;
                case "server-addr", "cache-redis-addrs" -> "127.0.0.1:6379";
                case "cache-lock-backend" -> "local";
                default -> "/tmp/x";
            };
        };
    }

    private ConfigLoader loader(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("HOME", dir.toString());
        return new ConfigLoader(all, dir, () -> "testhost");
    }

    /** Loads serve's configuration with the required options set, plus these. */
    private Loaded<ServeConfig> load(Map<String, String> env, Map<Option<?>, List<String>> flags) throws ConfigException {
        Map<Option<?>, List<String>> all = new HashMap<>(flags);
        all.put(Options.CACHE_HOSTNAME, List.of("h"));
        all.put(Options.CACHE_UPSTREAM_URLS, List.of("https://cache.nixos.org"));
        all.put(Options.CACHE_UPSTREAM_PUBLIC_KEYS, List.of(KEY));
        all.put(Options.CACHE_STORAGE_LOCAL, List.of(dir.resolve("data").toString()));
        return loader(env).serve(all);
    }

    private int run(Map<String, String> env, String... args) {
        Cli cli = new Cli(config -> 0, config -> 0, loader(env), level -> { },
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return cli.run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

}
