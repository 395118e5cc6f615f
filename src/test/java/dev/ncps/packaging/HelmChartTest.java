package dev.ncps.packaging;

import static dev.ncps.packaging.RenderedChart.at;
import static dev.ncps.packaging.RenderedChart.list;
import static dev.ncps.packaging.RenderedChart.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import dev.ncps.lock.LockBackend;
import dev.ncps.config.Loaded;
import dev.ncps.config.ServeConfig;
import dev.ncps.config.StorageConfig;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * charts/ncps through the real Helm engine (helm-java): lint, render with the chart defaults, the HA guide's values
 * and a values file written for the Go chart, and feed every rendered ncps configuration back through ncps's own
 * config loader, so the chart cannot render a configuration ncps refuses.
 */
@Tag("slow")
class HelmChartTest {
    private static final Path CHART = TestDirs.repoRoot().resolve("charts/ncps");
    private static final Path HA_VALUES = TestDirs.repoRoot().resolve("deploy/helm/values-ha.yaml");
    private static final Path GO_VALUES = TestDirs.repoRoot().resolve("src/test/resources/helm/go-chart-values.yaml");
    private static final Map<String, Map<String, String>> USER_SECRETS = Map.of(
            "ncps-s3", Map.of("access-key-id", "AKIAEXAMPLE", "secret-access-key", "example-secret"));

    private final Path work = TestDirs.newWorkDir("helm");

    @AfterEach
    void delete() {
        TestDirs.deleteTree(work);
    }

    @Test
    void lintPassesStrictWithDefaultsAndWithTheGuidesValues() {
        LintResult defaults = new Helm(CHART).lint().strict().call();
        assertThat(defaults.isFailed()).as("%s", defaults.getMessages()).isFalse();
        assertThat(defaults.getMessages()).allMatch(m -> m.startsWith("[INFO]"));
    }

    @Test
    void chartVersionFollowsTheProjectVersion() throws IOException {
        Properties version = new Properties();
        try (InputStream in = HelmChartTest.class.getResourceAsStream("/ncps-version.properties")) {
            version.load(in);
        }
        String chart = Files.readString(CHART.resolve("Chart.yaml"));

        assertThat(chart).contains("\nversion: " + version.getProperty("version") + "\n",
                "\nappVersion: \"" + version.getProperty("version") + "\"\n");
    }

    @Test
    void defaultsRenderOneNonRootReplicaWithSqliteOnItsVolumeAndProbesThatNeedNoToken() throws Exception {
        RenderedChart chart = render(template());

        Map<String, Object> pod = chart.podSpec("ncps");
        Map<String, Object> ncps = chart.container("ncps", "ncps");
        assertThat(at(pod, "securityContext")).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 10001);
        assertThat(at(ncps, "securityContext")).containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(ncps.get("command")).isEqualTo(List.of("/bin/ncps"));
        assertThat(at(ncps, "livenessProbe", "httpGet")).containsEntry("path", "/healthz");
        assertThat(at(ncps, "readinessProbe", "httpGet")).containsEntry("path", "/readyz");
        assertThat(list(at(ncps, "lifecycle", "preStop", "exec").get("command"))).containsExactly("sleep", "5");
        // 60 s > 5 s preStop + 30 s drain timeout: the drain finishes before Kubernetes would SIGKILL.
        assertThat(pod.get("terminationGracePeriodSeconds")).isEqualTo(60);
        assertThat(list(at(chart.get("StatefulSet", "ncps"), "spec").get("volumeClaimTemplates"))).hasSize(1);
        assertThat(chart.find("Job", "ncps-migration")).isEmpty();
        assertThat(chart.find("PodDisruptionBudget", "ncps")).isEmpty();

        Loaded<ServeConfig> loaded = chart.loadNcpsConfig("ncps", work, Map.of());
        assertThat(loaded.warnings()).isEmpty();
        ServeConfig config = loaded.config();
        assertThat(config.storage()).isEqualTo(new StorageConfig.Local(Path.of("/storage")));
        assertThat(config.database().url().jdbcUrl()).contains("/storage/db/ncps.db");
        assertThat(config.cache().tempDir()).isEqualTo(Path.of("/tmp/ncps"));
        assertThat(config.server().advertiseUrl()).hasValueSatisfying(url -> assertThat(url).hasToString("http://10.1.2.3:8501"));
        assertThat(config.lock().backend()).isEqualTo(LockBackend.LOCAL);
    }

    @Test
    void theGuidesHaValuesRenderThreeReplicasOnS3PostgresAndRedisWithADisruptionBudget() throws Exception {
        RenderedChart chart = render(template().withValuesFile(HA_VALUES));

        assertThat(at(chart.get("StatefulSet", "ncps"), "spec")).containsEntry("replicas", 3)
                .doesNotContainKey("volumeClaimTemplates");
        assertThat(at(chart.get("PodDisruptionBudget", "ncps"), "spec")).containsEntry("minAvailable", 2);
        assertThat(at(chart.podSpec("ncps"), "affinity", "podAntiAffinity"))
                .containsKey("preferredDuringSchedulingIgnoredDuringExecution");

        ServeConfig config = chart.loadNcpsConfig("ncps", work, USER_SECRETS).config();
        assertThat(config.hostname()).isEqualTo("cache.example.com");
        assertThat(config.storage()).isInstanceOf(StorageConfig.S3.class);
        assertThat(config.database().url().jdbcUrl()).startsWith("jdbc:postgresql://postgres:5432/ncps");
        assertThat(config.lock().backend()).isEqualTo(LockBackend.REDIS);
        assertThat(config.lock().redis()).isPresent();
    }

    @Test
    void aGoChartValuesFileKeepsWorkingAndNamesWhatHasNoEffect() throws Exception {
        String secretKey = SecretKey.generate("nix-cache.internal-1").toNixString();
        RenderedChart chart = render(template().withValuesFile(GO_VALUES).set("config.signing.secretKey", secretKey));

        Map<String, Object> ncps = chart.container("ncps", "ncps");
        assertThat(ncps.get("image")).isEqualTo("registry.example.com/platform/ncps:1.2.3");
        assertThat(at(chart.get("Deployment", "ncps"), "spec", "strategy")).containsEntry("type", "RollingUpdate");
        assertThat(chart.secretValue("ncps-signing-key", "signing-key", Map.of())).isEqualTo(secretKey);
        assertThat(at(chart.get("Secret", "ncps-signing-key"), "metadata", "annotations"))
                .containsEntry("helm.sh/resource-policy", "keep");
        assertThat(chart.secretValue("ncps", "database-url", Map.of()))
                .isEqualTo("postgresql://ncps:p%40ss%20word@pg.internal:5432/ncps?sslmode=require");
        assertThat(at(chart.get("ServiceMonitor", "ncps"), "spec")).containsKey("endpoints");
        assertThat(chart.find("Ingress", "ncps")).isPresent();

        Loaded<ServeConfig> loaded = chart.loadNcpsConfig("ncps", work, Map.of());
        assertThat(loaded.warnings()).isEmpty();
        ServeConfig config = loaded.config();
        assertThat(config.upstream().upstreams()).hasSize(2);
        assertThat(config.http().getToken()).isEqualTo("s3cr3t-token");
        assertThat(config.http().allowPut()).isTrue();
        assertThat(config.lock().backend()).isEqualTo(LockBackend.REDIS);
        assertThat(config.signing().secretKeyPath()).hasValue(work.resolve("root/etc/ncps/secrets/signing-key"));
        assertThat(config.database().url().password()).hasValue("p@ss word");

        // helm-java's template leaves hooks (the migration Job) out; the install dry run renders them too.
        Release dryRun = new Helm(CHART).install().withName("ncps").withNamespace("ncps").clientOnly().dryRun()
                .withValuesFile(GO_VALUES).set("config.signing.secretKey", secretKey).call();
        assertThat(dryRun.getOutput()).contains("WARNING: these values are accepted", "config.cdc.enabled",
                "config.inflightStaging.enabled", "fsck.enabled");
        assertThat(dryRun.getOutput()).doesNotContain("config.observability.opentelemetry.enabled");
    }

    @Test
    void refusesWhatNcpsWouldRefuseWithTheReason() {
        assertThatThrownBy(() -> template().set("replicaCount", 3).call())
                .hasMessageContaining("replicaCount 3: a SQLite database cannot be shared between replicas");
        assertThatThrownBy(() -> template().set("replicaCount", 2).set("config.database.type", "postgresql")
                .set("config.database.postgresql.host", "pg").set("config.redis.enabled", true).call())
                .hasMessageContaining("replicaCount 2: replicas must share S3 storage");
        assertThatThrownBy(() -> template().withValuesFile(HA_VALUES).set("config.redis.enabled", false).call())
                .hasMessageContaining("replicas need a shared lock backend");
        assertThatThrownBy(() -> template().set("terminationGracePeriodSeconds", 30).call())
                .hasMessageContaining("terminationGracePeriodSeconds 30 must exceed preStopSleepSeconds (5) + config.server.drainTimeout (30s)");
        assertThatThrownBy(() -> template().set("config.storage.type", "s3").set("config.storage.s3.bucket", "b")
                .set("config.storage.s3.endpoint", "https://s3").call())
                .hasMessageContaining("S3 storage needs credentials");
    }

    private static TemplateCommand template() {
        return new Helm(CHART).template().withName("ncps").withNamespace("ncps");
    }

    private static RenderedChart render(TemplateCommand command) {
        return RenderedChart.parse(command.call());
    }
}
