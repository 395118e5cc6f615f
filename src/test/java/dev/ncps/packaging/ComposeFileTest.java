package dev.ncps.packaging;

import static dev.ncps.packaging.RenderedChart.list;
import static dev.ncps.packaging.RenderedChart.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ncps.config.ConfigLoader;
import dev.ncps.lock.LockBackend;
import dev.ncps.config.Loaded;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;
import dev.ncps.config.StorageConfig;
import dev.ncps.testing.Installer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * deploy/compose, the HA guide's three instances: each ncps service runs this version's image with the guide's
 * command, the shared config.yaml is one ncps accepts with each service's environment (Redis locks, S3, PostgreSQL),
 * and HAProxy accepts its configuration, which names all three. {@link ComposeIT} starts the services.
 */
@Tag("slow")
class ComposeFileTest {
    private static final Path DIR = TestDirs.repoRoot().resolve("deploy/compose");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_]+)(?::-([^}]*))?}");
    private static final List<String> INSTANCES = List.of("ncps-1", "ncps-2", "ncps-3");

    @Test
    void threeInstancesRunThisVersionsImageWithTheSharedConfigAndTheirOwnAdvertisedUrl() throws Exception {
        Map<String, Object> services = map(compose().get("services"));
        String version = projectVersion();

        for (String instance : INSTANCES) {
            Map<String, Object> service = merged(map(services.get(instance)));
            assertThat(interpolate((String) service.get("image"), Map.of())).isEqualTo("localhost/ncps:" + version);
            assertThat(service.get("command")).isEqualTo(List.of("/bin/ncps", "serve", "--config=/config.yaml"));
            assertThat(list(service.get("volumes"))).contains("./config.yaml:/config.yaml:ro");
            assertThat(service).containsEntry("read_only", true);

            Map<String, String> env = environment(service);
            assertThat(env).containsEntry("SERVER_ADVERTISE_URL", "http://" + instance + ":8501");
            Loaded<ServeConfig> loaded = new ConfigLoader(env, Path.of("/storage"), () -> instance)
                    .serve(Map.of(Options.CONFIG, List.of(DIR.resolve("config.yaml").toString())));
            assertThat(loaded.warnings()).isEmpty();
            ServeConfig config = loaded.config();
            assertThat(config.lock().backend()).isEqualTo(LockBackend.REDIS);
            assertThat(config.storage()).isInstanceOf(StorageConfig.S3.class);
            assertThat(config.database().url().jdbcUrl()).startsWith("jdbc:postgresql://postgres:5432/ncps");
            assertThat(config.database().url().password()).hasValue("ncps-password");
        }
    }

    @Test
    void haproxyAcceptsItsConfigurationAndBalancesOverTheThreeInstances() throws IOException {
        Installer.ensure("haproxy");
        String cfg = Files.readString(DIR.resolve("haproxy.cfg"));
        Processes.Completed check = Processes.run("haproxy-check", List.of("haproxy", "-c", "-f", DIR.resolve("haproxy.cfg").toString()),
                Map.of(), DIR, Duration.ofSeconds(30));

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(INSTANCES).allSatisfy(instance -> assertThat(cfg).contains(" " + instance + ":8501 check"));
        assertThat(map(map(compose().get("services")).get("haproxy")).get("depends_on")).isEqualTo(INSTANCES);
    }

    private static Map<String, Object> compose() throws IOException {
        return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(DIR.resolve("compose.yaml"))));
    }

    /** A service with its YAML merge keys ({@code <<: *ncps}) applied, as compose does; own keys win. */
    private static Map<String, Object> merged(Map<String, Object> node) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (node.containsKey("<<")) {
            result.putAll(merged(map(node.get("<<"))));
        }
        node.forEach((key, value) -> {
            if (!key.equals("<<")) {
                result.put(key, value instanceof Map<?, ?> ? merged(map(value)) : value);
            }
        });
        return result;
    }

    /** The service's environment with compose's ${VAR:-default} substituted from an empty shell environment. */
    private static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new HashMap<>();
        map(service.get("environment")).forEach((key, value) -> env.put(key, interpolate(String.valueOf(value), Map.of())));
        return env;
    }

    private static String interpolate(String value, Map<String, String> shell) {
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = shell.getOrDefault(matcher.group(1), matcher.group(2) == null ? "" : matcher.group(2));
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return matcher.appendTail(out).toString();
    }

    private static String projectVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/ncps-version.properties")) {
            properties.load(in);
        }
        return properties.getProperty("version");
    }
}
