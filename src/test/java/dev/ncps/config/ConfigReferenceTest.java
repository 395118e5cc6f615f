package dev.ncps.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    private static final Path DOC = Path.of(System.getProperty("ncps.repo.root", "."), "docs", "configuration.md");

    @Test
    void committedReferenceMatchesTheOptions() throws Exception {
        String expected = ConfigReference.markdown();
        if (Boolean.getBoolean("ncps.docs.update")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/configuration.md is stale; regenerate: ./mvnw -o -q test -Dtest=ConfigReferenceTest -Dncps.docs.update=true")
                .isEqualTo(expected);
    }

    @Test
    void everyOptionIsDocumentedInTheReference() {
        String md = ConfigReference.markdown();
        for (Option<?> option : Options.ALL) {
            assertThat(md).contains("`--" + option.flag() + "`");
            assertThat(option.doc()).as(option.label()).isNotBlank();
        }
    }

    @Test
    void everyDefaultIsAValidValue() {
        for (Option<?> option : Options.ALL) {
            if (option.defaultValue() != null) {
                assertThatCode(() -> option.type().parse(option.defaultValue())).as(option.label()).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void flagsEnvVarsAndKeysAreUnique() {
        Set<String> seen = new HashSet<>();
        for (Option<?> option : Options.ALL) {
            assertThat(seen.add("--" + option.flag())).as(option.flag()).isTrue();
            if (option.env() != null) {
                assertThat(seen.add("$" + option.env())).as(option.env()).isTrue();
            }
            option.allKeys().forEach(k -> assertThat(seen.add(k)).as(k).isTrue());
        }
    }
}
