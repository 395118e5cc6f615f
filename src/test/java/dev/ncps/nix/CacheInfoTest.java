package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheInfoTest {
    @Test
    void parsesWhatCachesServe() throws Exception {
        // cache.nixos.org's, and the Go ncps's (no final newline).
        assertThat(CacheInfo.parse("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n"))
                .isEqualTo(new CacheInfo("/nix/store", true, 40));
        assertThat(CacheInfo.parse("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 10"))
                .isEqualTo(new CacheInfo("/nix/store", true, 10));
    }

    @Test
    void missingKeysTakeNixDefaults() throws Exception {
        // What `nix copy --to file://` writes.
        assertThat(CacheInfo.parse("StoreDir: /nix/store\n")).isEqualTo(new CacheInfo("/nix/store", false, 50));
        assertThat(CacheInfo.parse("")).isEqualTo(new CacheInfo("/nix/store", false, CacheInfo.DEFAULT_PRIORITY));
    }

    @Test
    void ignoresUnknownKeysAndLinesWithoutAColonAndTrimsValues() throws Exception {
        assertThat(CacheInfo.parse("# comment\nFoo: bar\n  \nStoreDir:   /gnu/store  \nWantMassQuery: yes\nPriority:-3\n"))
                .isEqualTo(new CacheInfo("/gnu/store", false, -3));
    }

    @Test
    void serializesAndParsesBack() throws Exception {
        CacheInfo info = new CacheInfo("/nix/store", true, 10);
        assertThat(info.serialize()).isEqualTo("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 10\n");
        assertThat(CacheInfo.parse(info.serialize())).isEqualTo(info);
    }

    @Test
    void errorsNameTheLine() {
        assertThatThrownBy(() -> CacheInfo.parse("StoreDir: /nix/store\nPriority: high\n")).isInstanceOf(NixParseException.class)
                .hasMessage("nix-cache-info line 2: Priority: \"high\" is not an integer");
        assertThatThrownBy(() -> CacheInfo.parse("Priority: 99999999999\n")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("line 1: Priority");
        assertThatThrownBy(() -> CacheInfo.parse("StoreDir: nix/store\n")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("line 1: StoreDir: \"nix/store\" is not an absolute path");
        assertThatThrownBy(() -> CacheInfo.parse("Priority: 1\nPriority: 2\n")).isInstanceOf(NixParseException.class)
                .hasMessage("nix-cache-info line 2: duplicate Priority (first on line 1)");
    }
}
