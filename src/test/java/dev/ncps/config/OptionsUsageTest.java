package dev.ncps.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A declared option that no code reads is documented behaviour that does not exist. Both ends are checked
 * in the sources: each option constant (deprecated aliases are read through their replacement; options of
 * Go-only features are read by the loader only to warn that they do nothing) is
 * referenced outside its declaration and the reference generator, and each value the loader puts into a
 * {@code *Config} record is read outside that record's file (a component nobody reads is an option that
 * is parsed and then dropped).
 */
class OptionsUsageTest {
    private static final Path MAIN = Path.of(System.getProperty("ncps.repo.root", "."), "src", "main", "java");
    private static final Path CONFIG = MAIN.resolve("dev/ncps/config");

    @Test
    void everyDeclaredOptionIsReferencedByCode() throws Exception {
        Map<Path, String> sources = sources(path -> !path.equals(CONFIG.resolve("Options.java"))
                && !path.equals(CONFIG.resolve("ConfigReference.java")));
        List<String> unread = new ArrayList<>();
        for (Field field : Options.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && Option.class.isAssignableFrom(field.getType())
                    && !((Option<?>) field.get(null)).deprecated() && !((Option<?>) field.get(null)).goOnly()) {
                Pattern reference = Pattern.compile("\\b" + field.getName() + "\\b");
                if (sources.values().stream().noneMatch(text -> reference.matcher(text).find())) {
                    unread.add(field.getName());
                }
            }
        }
        assertThat(unread).as("options declared in Options.java that no code reads").isEmpty();
    }

    @Test
    void everyConfigurationValueIsReadBySomeCode() throws Exception {
        List<String> unread = new ArrayList<>();
        for (Path file : sources(path -> path.getParent().equals(CONFIG) && path.toString().endsWith("Config.java")).keySet()) {
            Class<?> type = Class.forName("dev.ncps.config." + file.getFileName().toString().replace(".java", ""));
            for (Class<?> record : Stream.concat(Stream.of(type), Stream.of(type.getDeclaredClasses())).filter(Class::isRecord).toList()) {
                Map<Path, String> elsewhere = sources(path -> !path.equals(file));
                for (RecordComponent component : record.getRecordComponents()) {
                    Pattern call = Pattern.compile("[.:]" + component.getName() + "\\b");
                    if (elsewhere.values().stream().noneMatch(text -> call.matcher(text).find())) {
                        unread.add(record.getSimpleName() + "." + component.getName());
                    }
                }
            }
        }
        assertThat(unread).as("configuration values the loader fills in but nothing reads").isEmpty();
    }

    private static Map<Path, String> sources(java.util.function.Predicate<Path> include) throws IOException {
        Map<Path, String> sources = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(MAIN)) {
            walk.filter(path -> path.toString().endsWith(".java")).filter(include).forEach(path -> {
                try {
                    sources.put(path, Files.readString(path));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return sources;
    }
}
