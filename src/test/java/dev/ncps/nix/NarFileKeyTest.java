package dev.ncps.nix;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NarFileKeyTest {
    private static final String NIX32 = "1ip4jpp5kbcp9ydq8rjf8ykzzyc7w7y8xa5q1qqpzs9yprk2jhqc";
    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void aUrlNamesTheHashAndCompressionAndTheyGiveItBack() throws Exception {
        NarFileKey xz = NarFileKey.parseUrl("nar/" + NIX32 + ".nar.xz");
        assertThat(xz).isEqualTo(new NarFileKey(NIX32, Compression.XZ));
        assertThat(xz.url()).isEqualTo("nar/" + NIX32 + ".nar.xz");
        assertThat(NarFileKey.parseUrl("nar/" + HEX + ".nar")).isEqualTo(new NarFileKey(HEX, Compression.NONE));
    }

    /**
     * The URL parser is written by hand for speed; the regular expression it replaced is its specification.
     * Strings near valid URLs (one character changed, dropped or added, at every position) must be judged alike.
     */
    @Test
    void theUrlParserAcceptsExactlyWhatItsRegularExpressionDescribes() {
        java.util.regex.Pattern spec = java.util.regex.Pattern.compile("nar/(" + NarFileKey.NAME + ")\\.nar(\\.[a-z0-9]+)?");
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyzAZ./?-_";
        java.util.List<String> cases = new java.util.ArrayList<>();
        for (String valid : new String[] {"nar/" + NIX32 + ".nar.xz", "nar/" + HEX + ".nar", "nar/" + NIX32 + ".nar.zst"}) {
            for (int i = 0; i <= valid.length(); i++) {
                if (i < valid.length()) {
                    cases.add(valid.substring(0, i) + valid.substring(i + 1));
                }
                for (char c : alphabet.toCharArray()) {
                    cases.add(valid.substring(0, i) + c + valid.substring(i));
                    if (i < valid.length()) {
                        cases.add(valid.substring(0, i) + c + valid.substring(i + 1));
                    }
                }
            }
        }
        int accepted = 0;
        for (String url : cases) {
            java.util.Optional<NarFileKey> parsed = NarFileKey.ofUrl(url);
            assertThat(parsed.isPresent()).as(url).isEqualTo(spec.matcher(url).matches() && knownExtension(url));
            if (parsed.isPresent()) {
                accepted++;
                assertThat(parsed.get().url()).isEqualTo(url);
            }
        }
        assertThat(accepted).as("some variants are valid URLs").isGreaterThan(10);
    }

    private static boolean knownExtension(String url) {
        try {
            Compression.fromExtension(url.substring(url.indexOf(".nar") + 4));
            return true;
        } catch (NixParseException e) {
            return false;
        }
    }

    @Test
    void theStoreKeyIsTheGoLayoutAndParsesBack() {
        NarFileKey key = new NarFileKey(NIX32, Compression.ZSTD);
        assertThat(key.storeKey()).isEqualTo("store/nar/1/1i/" + NIX32 + ".nar.zst");
        assertThat(NarFileKey.ofStoreKey(key.storeKey())).contains(key);
        assertThat(NarFileKey.ofStoreKey("store/nar/2/1i/" + NIX32 + ".nar.zst")).isEmpty();
        assertThat(NarFileKey.ofStoreKey("store/nar/z/zz/left-by-another-tool.part")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nar/abc123.nar.xz", "nar/" + NIX32 + ".nar.zst?hash=x", "https://other/nar/" + NIX32 + ".nar.xz",
            "/nar/" + NIX32 + ".nar", "nar/" + NIX32 + ".nar.XZ", "nar/sub/" + NIX32 + ".nar"})
    void otherShapesAreNotNarUrls(String url) {
        assertThat(NarFileKey.ofUrl(url)).isEmpty();
        assertThatThrownBy(() -> NarFileKey.parseUrl(url)).isInstanceOf(NixParseException.class)
                .hasMessageEndingWith("is not of the form nar/<sha256 as 52 nix32 or 64 hex characters>.nar[.<ext>]");
    }

    @Test
    void anUnknownCompressionIsNamed() {
        assertThat(NarFileKey.ofUrl("nar/" + NIX32 + ".nar.rar")).isEmpty();
        assertThatThrownBy(() -> NarFileKey.parseUrl("nar/" + NIX32 + ".nar.rar"))
                .hasMessage("'nar/" + NIX32 + ".nar.rar': unknown NAR extension \".rar\" (allowed: none, .xz, .zst, .bz2, .br, .lzip, .lz4, .gz)");
        assertThat(NarFileKey.ofUrl(null)).isEmpty();
    }
}
