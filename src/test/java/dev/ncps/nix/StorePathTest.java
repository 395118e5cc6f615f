package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorePathTest {
    private static final String HASH = "1gxz5nfzfnhyxjdyzi04r86sh61y4i00";

    @Test
    void parsesAnAbsolutePath() throws Exception {
        StorePath path = StorePath.parse("/nix/store/" + HASH + "-hello-2.12.1");
        assertThat(path.hashPart()).isEqualTo(HASH);
        assertThat(path.name()).isEqualTo("hello-2.12.1");
        assertThat(path.baseName()).isEqualTo(HASH + "-hello-2.12.1");
        assertThat(path).hasToString("/nix/store/" + HASH + "-hello-2.12.1");
        assertThat(StorePath.parseBaseName(path.baseName())).isEqualTo(path);
    }

    @Test
    void acceptsEveryCharacterNixAllows() throws Exception {
        String name = "aZ09+-._?=x";
        assertThat(StorePath.parseBaseName(HASH + "-" + name).name()).isEqualTo(name);
        assertThat(StorePath.parseBaseName(HASH + "-" + "a".repeat(211)).name()).hasSize(211);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-.hidden", "-..", "-.", "-", "-a/b", "-a b", "-a\u0000", "-caf\u00e9", "-a\nb", "x-name", ""})
    void rejectsBadNames(String suffix) {
        assertThatThrownBy(() -> StorePath.parseBaseName(HASH + suffix)).isInstanceOf(NixParseException.class);
    }

    @Test
    void rejectsOverlongNames() {
        assertThatThrownBy(() -> StorePath.parseBaseName(HASH + "-" + "a".repeat(212)))
                .isInstanceOf(NixParseException.class).hasMessageContaining("at most 211");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../../../etc/passwd", "1gxz5nfzfnhyxjdyzi04r86sh61y4i0", "1gxz5nfzfnhyxjdyzi04r86sh61y4i000",
            "1gxz5nfzfnhyxjdyzi04r86sh61y4i0e", "1GXZ5NFZFNHYXJDYZI04R86SH61Y4I00", "..%2f..%2f..%2f..%2f..%2f..%2fet",
            "1gxz5nfzfnhyxjdyzi04r86sh61y4i/0", ""})
    void aHashPartFromAUrlCannotEscapeItsFolder(String candidate) {
        assertThat(StorePath.isValidHashPart(candidate)).isFalse();
        assertThatThrownBy(() -> new StorePath(candidate, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsPathsOutsideTheStore() {
        assertThatThrownBy(() -> StorePath.parse("/gnu/store/" + HASH + "-x")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("not in /nix/store");
        assertThatThrownBy(() -> StorePath.parse("/nix/store/" + HASH + "-x/bin")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("invalid character '/'");
    }

    @Test
    void validHashPartIsExactlyThirtyTwoNix32Characters() {
        assertThat(StorePath.isValidHashPart(HASH)).isTrue();
        assertThat(StorePath.isValidHashPart(null)).isFalse();
    }
}
