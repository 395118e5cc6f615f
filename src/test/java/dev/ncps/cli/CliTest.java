package dev.ncps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.config.ConfigLoader;
import dev.ncps.config.LogLevel;
import dev.ncps.config.MigrateConfig;
import dev.ncps.config.ServeConfig;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.Console;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    static final String KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    static final String B_KEY = "b.example-1:mB9FSh9qf2dCimDSUo8Zy7bkq5CX+/rkCWyvRCYg3Fs=";

    @TempDir
    Path dir;
    final Console console = new Console();
    final List<ServeConfig> served = new ArrayList<>();
    final List<MigrateConfig> migrated = new ArrayList<>();
    final List<LogLevel> levels = new ArrayList<>();
    int actionExitCode = 0;

    private int run(String... args) {
        ConfigLoader loader = new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "testhost");
        ServeAction serve = config -> {
            served.add(config);
            return actionExitCode;
        };
        MigrateAction migrate = config -> {
            migrated.add(config);
            return actionExitCode;
        };
        Cli cli = new Cli(serve, migrate, loader, levels::add,
                console.outStream(), console.errStream());
        return cli.run(args);
    }

    @Test
    void helpListsTheCommandsAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(console.out()).contains("Usage: ncps", "serve, s", "migrate", "keygen", "--log-level", "LOG_LEVEL");
    }

    @Test
    void serveHelpComesFromTheOptionDocs() {
        assertThat(run("serve", "--help")).isZero();
        assertThat(console.out()).contains("--cache-upstream-url=<upstream-URL>", "CACHE_UPSTREAM_URLS", "key cache.upstream.urls",
                "--cache-max-size=<size>", "default :8501", "$XDG_CONFIG_HOME");
        assertThat(console.out()).doesNotContain("--upstream-cache");
    }

    @Test
    void versionPrintsTheBuildVersionAndGitRevision() {
        assertThat(run("--version")).isZero();
        assertThat(console.out().strip()).matches("ncps \\d+\\.\\d+\\.\\d+\\S* \\(git ([0-9a-f]{12}(-dirty)?|unknown)\\)");
    }

    @Test
    void unknownFlagIsAUsageError() {
        assertThat(run("serve", "--bogus")).isEqualTo(2);
        assertThat(console.err()).contains("Unknown option: '--bogus'", "ncps serve --help");
        assertThat(served).isEmpty();
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(console.err()).contains("Usage: ncps");
        assertThat(run("migrate")).isEqualTo(2);
    }

    @Test
    void badConfigurationPrintsOneLinePerProblemAndExitsTwo() {
        assertThat(run("serve", "--cache-upstream-url", "https://cache.nixos.org", "--cache-upstream-public-key", KEY,
                "--cache-max-size", "5GB", "--cache-lock-download-ttl", "soon")).isEqualTo(2);
        assertThat(console.err().lines()).containsExactly(
                "invalid value for cache.lock.download-lock-ttl (--cache-lock-download-ttl, CACHE_LOCK_DOWNLOAD_TTL): 'soon': "
                        + "expected a Go duration: numbers with units ns, us, ms, s, m or h, e.g. 300ms, 5m, 1h30m",
                "invalid value for cache.max-size (--cache-max-size, CACHE_MAX_SIZE): '5GB': expected a whole number followed "
                        + "by one unit B, K, M, G or T (base 1024), e.g. 100G");
        assertThat(served).isEmpty();
    }

    @Test
    void serveRunsTheActionWithTheTypedConfig() {
        actionExitCode = 7;
        assertThat(run("--log-level", "debug", "s", "--cache-upstream-url", "https://cache.nixos.org",
                "--cache-upstream-public-key", KEY, "--cache-sign-narinfo=false", "--prometheus-enabled",
                "--cache-upstream-url", "https://b.example", "--cache-upstream-public-key", B_KEY,
                "--server-advertise-url", "http://10.0.0.5:8501")).isEqualTo(7);
        ServeConfig config = served.getFirst();
        assertThat(config.upstream().upstreams()).extracting(u -> u.keys().stream().map(PublicKey::toNixString).toList())
                .containsExactly(List.of(KEY), List.of(B_KEY));
        assertThat(config.signing().signNarinfo()).isFalse();
        assertThat(config.server().prometheusEnabled()).isTrue();
        assertThat(config.server().advertiseUrl()).hasValue(URI.create("http://10.0.0.5:8501"));
        assertThat(levels).containsExactly(LogLevel.DEBUG);
    }

    @Test
    void aGlobalFlagAfterTheSubcommandWins() {
        run("--log-level", "debug", "serve", "--log-level", "error", "--cache-upstream-url", "https://cache.nixos.org",
                "--cache-upstream-public-key", KEY);
        assertThat(levels).containsExactly(LogLevel.ERROR);
    }

    @Test
    void aFailingActionExitsOne() {
        Cli cli = new Cli(config -> {
            throw new IllegalStateException("port in use");
        }, config -> 0, new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "h"), level -> { },
                console.outStream(), console.errStream());
        assertThat(cli.run("serve", "--cache-upstream-url", "https://cache.nixos.org", "--cache-upstream-public-key", KEY))
                .isEqualTo(1);
    }

    @Test
    void migrateUpPassesDryRunAndTheDatabase() {
        assertThat(run("migrate", "up", "--dry-run", "--cache-database-url", "postgres://db/ncps")).isZero();
        assertThat(migrated.getFirst().dryRun()).isTrue();
        assertThat(migrated.getFirst().database().url().jdbcUrl()).isEqualTo("jdbc:postgresql://db/ncps");
        assertThat(run("migrate", "up")).isZero();
        assertThat(migrated.get(1).dryRun()).isFalse();
        assertThat(migrated.get(1).database().url().sqliteFile()).hasValue(dir.resolve("ncps-data/db/db.sqlite"));
    }

    @Test
    void migrateDoesNotAcceptServeOnlyFlags() {
        assertThat(run("migrate", "up", "--cache-upstream-url", "https://cache.nixos.org")).isEqualTo(2);
        assertThat(console.err()).contains("Unknown option");
    }

    @Test
    void keygenPrintsOnlyTheSecretKeyOnStdoutAndThePublicKeyOnStderr() throws Exception {
        assertThat(run("keygen", "cache.example.com-1")).isZero();
        List<String> lines = console.out().lines().toList();
        assertThat(lines).hasSize(1);
        SecretKey secret = SecretKey.parse(lines.get(0));
        assertThat(secret.name()).isEqualTo("cache.example.com-1");
        assertThat(console.err()).contains("public key (for the clients' trusted-public-keys): " + secret.publicKey().toNixString());
        assertThat(secret.publicKey().verify("hello", secret.sign("hello"))).isTrue();
    }

    @Test
    void keygenWritesKeyFilesAndNeverOverwritesThem() throws Exception {
        Path secretFile = dir.resolve("ncps.sec");
        Path publicFile = dir.resolve("ncps.pub");
        assertThat(run("keygen", "cache.example.com-2", "--secret-file", secretFile.toString(),
                "--public-file", publicFile.toString())).isZero();
        SecretKey secret = SecretKey.parse(java.nio.file.Files.readString(secretFile).strip());
        PublicKey publicKey = PublicKey.parse(java.nio.file.Files.readString(publicFile).strip());
        assertThat(secret.publicKey()).isEqualTo(publicKey);
        assertThat(console.out().strip()).isEqualTo(publicKey.toNixString());
        assertThat(console.out()).doesNotContain(secret.toNixString());
        assertThat(java.nio.file.Files.getPosixFilePermissions(secretFile))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        String before = java.nio.file.Files.readString(secretFile);
        assertThat(run("keygen", "other-1", "--secret-file", secretFile.toString())).isEqualTo(1);
        assertThat(console.err()).contains(secretFile + " already exists; not overwritten");
        assertThat(java.nio.file.Files.readString(secretFile)).isEqualTo(before);
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void keygenRejectsANameWithAColon() {
        assertThat(run("keygen", "bad:name")).isEqualTo(2);
        assertThat(console.err()).contains("invalid key name 'bad:name'");
        assertThat(run("keygen")).isEqualTo(2);
    }

    @Test
    void fsckRefusesContradictoryOrMalformedFlagsAsUsageErrors() {
        assertThat(run("fsck", "--repair", "--dry-run")).isEqualTo(2);
        assertThat(console.err()).contains("--repair and --dry-run exclude each other");
        assertThat(run("fsck", "--grace", "soon")).isEqualTo(2);
        assertThat(console.err()).contains("invalid value for --grace: 'soon'");
        assertThat(run("fsck", "--concurrency", "0")).isEqualTo(2);
        assertThat(run("fsck", "--help")).isZero();
        assertThat(console.out()).contains("--verify-content", "--verified-since", "--cache-storage-local", "--cache-redis-addrs",
                "--cache-lock-backend");
    }

    @Test
    void fsckOnAFreshLocalCacheIsCleanAndExitsZero() {
        assertThat(run("fsck", "--cache-storage-local", dir.resolve("data").toString())).isZero();
        assertThat(console.out()).contains("result: clean");
    }

    @Test
    void configCheckPrintsEachValueWithItsOriginAndMasksSecrets() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("config.yaml"), "cache:\n  hostname: from-file.example\n");
        assertThat(run("config", "check", "--offline", "--config", dir.resolve("config.yaml").toString(),
                "--cache-upstream-url", "https://cache.nixos.org", "--cache-upstream-public-key", KEY,
                "--cache-get-token", "hunter2")).isZero();
        assertThat(console.out()).contains("configuration is valid")
                .containsPattern("cache\\.hostname +from-file\\.example +config file .*config\\.yaml key cache\\.hostname")
                .containsPattern("cache\\.upstream\\.urls +https://cache\\.nixos\\.org +flag --cache-upstream-url")
                .containsPattern("cache\\.get-token +\\*\\*\\*\\* +flag --cache-get-token")
                .containsPattern("server\\.addr +:8501 +default")
                .contains("result: valid (reachability not checked: --offline)")
                .doesNotContain("hunter2");
    }

    @Test
    void configCheckReportsEveryProblemAsAUsageError() {
        assertThat(run("config", "check", "--offline", "--cache-max-size", "5GB")).isEqualTo(2);
        assertThat(console.err()).contains("cache.upstream.urls", "cache.max-size");
    }
}
