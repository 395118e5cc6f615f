package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.Loaded;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The manifests {@code helm template} rendered from charts/ncps, with lookups by kind and name. */
record RenderedChart(List<Map<String, Object>> manifests) {
    static RenderedChart parse(String yaml) {
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            if (document != null) {
                manifests.add(map(document));
            }
        }
        return new RenderedChart(manifests);
    }

    Optional<Map<String, Object>> find(String kind, String name) {
        return manifests.stream()
                .filter(m -> kind.equals(m.get("kind")) && name.equals(map(m.get("metadata")).get("name")))
                .findFirst();
    }

    Map<String, Object> get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among "
                + manifests.stream().map(m -> m.get("kind") + "/" + map(m.get("metadata")).get("name")).toList()));
    }

    /** The pod spec of the ncps workload (StatefulSet or Deployment) named {@code name}. */
    Map<String, Object> podSpec(String name) {
        Map<String, Object> workload = find("StatefulSet", name).or(() -> find("Deployment", name))
                .orElseThrow(() -> new AssertionError("no StatefulSet or Deployment " + name));
        return at(workload, "spec", "template", "spec");
    }

    Map<String, Object> container(String workload, String container) {
        return list(podSpec(workload).get("containers")).stream().map(RenderedChart::map)
                .filter(c -> container.equals(c.get("name"))).findFirst().orElseThrow();
    }

    /**
     * What ncps would load in the container: the ConfigMap's config.yaml plus the container's environment. Files the
     * pod mounts from Secrets (signing key, netrc) are written under {@code workDir}, and the config names them there.
     */
    Loaded<ServeConfig> loadNcpsConfig(String workload, Path workDir, Map<String, Map<String, String>> existingSecrets)
            throws ConfigException {
        Map<String, Object> container = container(workload, "ncps");
        String config = (String) map(get("ConfigMap", workload).get("data")).get("config.yaml");
        Map<String, String> secretVolumes = new HashMap<>();
        for (Object volume : list(podSpec(workload).get("volumes"))) {
            Map<String, Object> v = map(volume);
            if (v.containsKey("secret")) {
                secretVolumes.put((String) v.get("name"), (String) at(v, "secret").get("secretName"));
            }
        }
        Path file = workDir.resolve("config.yaml");
        try {
            for (Object item : list(container.get("volumeMounts"))) {
                Map<String, Object> mount = map(item);
                String secret = secretVolumes.get((String) mount.get("name"));
                if (secret != null) {
                    String mountPath = (String) mount.get("mountPath");
                    Path mounted = workDir.resolve("root" + mountPath);
                    Files.createDirectories(mounted.getParent());
                    String value = secretValue(secret, (String) mount.get("subPath"), existingSecrets);
                    assertThat(value).as("secret %s key %s mounted at %s", secret, mount.get("subPath"), mountPath).isNotNull();
                    Files.writeString(mounted, value);
                    config = config.replace(mountPath, mounted.toString());
                }
            }
            Files.writeString(file, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = environment(container, existingSecrets);
        return new ConfigLoader(env, Path.of("/"), () -> "pod-hostname")
                .serve(Map.of(Options.CONFIG, List.of(file.toString())));
    }

    /**
     * The container's environment with secretKeyRefs resolved from the rendered Secrets (or {@code existingSecrets},
     * standing in for Secrets the user creates), the pod IP filled in and $(VAR) references expanded.
     */
    Map<String, String> environment(Map<String, Object> container, Map<String, Map<String, String>> existingSecrets) {
        Map<String, String> env = new HashMap<>();
        for (Object item : list(container.get("env"))) {
            Map<String, Object> var = map(item);
            String name = (String) var.get("name");
            String value;
            if (var.containsKey("value")) {
                value = String.valueOf(var.get("value"));
            } else if (at(var, "valueFrom").containsKey("fieldRef")) {
                value = "10.1.2.3";
            } else {
                Map<String, Object> ref = at(var, "valueFrom", "secretKeyRef");
                value = secretValue((String) ref.get("name"), (String) ref.get("key"), existingSecrets);
                if (value == null && Boolean.TRUE.equals(ref.get("optional"))) {
                    continue;
                }
                assertThat(value).as("secret %s key %s for %s", ref.get("name"), ref.get("key"), name).isNotNull();
            }
            for (var known : env.entrySet()) {
                value = value.replace("$(" + known.getKey() + ")", known.getValue());
            }
            env.put(name, value);
        }
        return env;
    }

    String secretValue(String secret, String key, Map<String, Map<String, String>> existingSecrets) {
        Optional<Map<String, Object>> rendered = find("Secret", secret);
        if (rendered.isPresent()) {
            Object encoded = map(rendered.get().get("data")).get(key);
            return encoded == null ? null : new String(Base64.getDecoder().decode((String) encoded), StandardCharsets.UTF_8);
        }
        return existingSecrets.getOrDefault(secret, Map.of()).get(key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    static Map<String, Object> at(Map<String, Object> root, String... path) {
        Map<String, Object> node = root;
        for (String key : path) {
            node = map(Objects.requireNonNull(node.get(key), () -> "no " + key + " in " + root));
        }
        return node;
    }
}
