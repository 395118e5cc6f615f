package dev.ncps.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The YAML configuration file flattened to dotted keys ({@code cache: {upstream: {urls: [..]}}} becomes
 * {@code cache.upstream.urls}), values already env-expanded. A value is a {@code String} or a
 * {@code List<String>}; a key written with no value counts as absent.
 */
final class ConfigFile {
    private final Path path;
    private final Map<String, Object> values;

    private ConfigFile(Path path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static ConfigFile empty() {
        return new ConfigFile(null, Map.of());
    }

    static ConfigFile parse(Path path, String yaml, Map<String, String> env) throws ConfigException {
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).setLabel(path.toString()).build();
        Object root;
        try {
            root = new Load(settings).loadFromString(yaml);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
            throw new ConfigException("config file " + path + ": " + e.getProblem() + where);
        } catch (YamlEngineException e) {
            throw new ConfigException("config file " + path + ": " + e.getMessage().replace('\n', ' '));
        }
        if (root != null && !(root instanceof Map<?, ?>)) {
            throw new ConfigException("config file " + path + ": expected a mapping of keys at the top level");
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        if (root != null) {
            flatten("", (Map<?, ?>) root, env, flat, problems, path);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new ConfigFile(path, flat);
    }

    static ConfigFile load(Path path, Map<String, String> env) throws ConfigException {
        try {
            return parse(path, Files.readString(path, StandardCharsets.UTF_8), env);
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot be read: " + e);
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> env, Map<String, Object> out,
                                List<String> problems, Path path) {
        for (var entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            switch (entry.getValue()) {
                case null -> { }
                case Map<?, ?> nested -> flatten(key + ".", nested, env, out, problems, path);
                case List<?> list when list.stream().allMatch(ConfigFile::isScalar) -> {
                    List<String> items = new ArrayList<>();
                    for (Object item : list) {
                        expand(key, item.toString(), env, problems, path).ifPresent(items::add);
                    }
                    out.put(key, List.copyOf(items));
                }
                case List<?> ignored -> problems.add("config file " + path + ": " + key + ": expected a list of plain values");
                case Object scalar -> expand(key, scalar.toString(), env, problems, path).ifPresent(v -> out.put(key, v));
            }
        }
    }

    private static boolean isScalar(Object item) {
        return item != null && !(item instanceof Map<?, ?>) && !(item instanceof List<?>);
    }

    private static Optional<String> expand(String key, String text, Map<String, String> env, List<String> problems, Path path) {
        try {
            return Optional.of(EnvExpansion.expand(text, env));
        } catch (EnvExpansion.UnsetVariableException e) {
            problems.add("config file " + path + ": " + key + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    Optional<Object> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    Iterable<String> keys() {
        return values.keySet();
    }

    /** How messages name this file. */
    String describe() {
        return "config file " + path;
    }
}
