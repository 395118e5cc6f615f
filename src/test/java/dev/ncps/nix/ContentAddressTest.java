package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Store paths recomputed from content addresses. The expected paths and CA fields were written by Debian's
 * nix-bin 2.8 ({@code nix store add-path}, {@code nix store add-file}, {@code builtins.toFile}); the slow
 * {@code dev.ncps.security.UnsignedUpstreamTest} recomputes fresh ones from a cache nix-bin builds.
 */
class ContentAddressTest {

    private static StorePath compute(String ca, String baseName, List<String> references) throws NixParseException {
        StorePath path = StorePath.parseBaseName(baseName);
        return ContentAddress.parse(ca).storePath(path.name(), references, path.hashPart());
    }

    @Test
    void aRecursiveSha256PathIsASourcePath() throws Exception {
        String path = "l7103xszg118h8fqxrcqgd2jcbb5zriq-mydir";
        String ca = "fixed:r:sha256:0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj";
        assertThat(compute(ca, path, List.of()).baseName()).isEqualTo(path);
        assertThat(ContentAddress.parse(ca).pinsNarHash(Hash.parse("sha256-8o0DBb0yE+dbLyDe85hGPPhmjfnJ5YFV5rNLl+pnrSk=")))
                .isTrue();
        assertThat(ContentAddress.parse(ca).pinsNarHash(Hash.parse("sha256-1p1dAqqQ3yUR3UiA23QubW4ePc+6z/oB9/49zBrZy7M=")))
                .isFalse();
    }

    @Test
    void aFlatPathIsAFixedOutput() throws Exception {
        String path = "374kfmadwi8aqlyf1347zbjixndbbcl4-flat.txt";
        String ca = "fixed:sha256:0cz729xf10lrw014jj2hlbxalgdpahxbg61gdg51jnryx8dqxrmr";
        assertThat(compute(ca, path, List.of()).baseName()).isEqualTo(path);
        // A flat address is the file's hash, never the NAR's.
        assertThat(ContentAddress.parse(ca).pinsNarHash(Hash.parse("sha256-1p1dAqqQ3yUR3UiA23QubW4ePc+6z/oB9/49zBrZy7M=")))
                .isFalse();
    }

    @Test
    void aTextPathIncludesItsReferences() throws Exception {
        assertThat(compute("text:sha256:195sragjc913zdk67c376rv4mmwgcs304sncc34vp32l3pza35lv",
                "s3prnsnzh18q5g74q47zbx63clqmmgki-note.txt", List.of()).hashPart()).isEqualTo("s3prnsnzh18q5g74q47zbx63clqmmgki");
        String referring = "6l80plrsnx574g5l824hj8897hxb8xn6-b.txt";
        String ca = "text:sha256:0q8d7v7fivnpnq2zfmbws4zwvnxm69m4ws4r9464x4kgid6nbkwp";
        assertThat(compute(ca, referring, List.of("l82nr4gna33sc2g8m4hkkr6r983dlbd6-a.txt")).baseName()).isEqualTo(referring);
        assertThat(compute(ca, referring, List.of()).baseName()).isNotEqualTo(referring);
    }

    @Test
    void theNameAndTheHashAreBoth() throws Exception {
        String ca = "fixed:r:sha256:0addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj";
        assertThat(compute(ca, "l7103xszg118h8fqxrcqgd2jcbb5zriq-other", List.of()).hashPart())
                .isNotEqualTo("l7103xszg118h8fqxrcqgd2jcbb5zriq");
        assertThat(compute("fixed:r:sha256:1addczm9fjxkwraq3rf9z66ndy1w8scg7pi05xdyf4rjpl2h73gj",
                "l7103xszg118h8fqxrcqgd2jcbb5zriq-mydir", List.of()).hashPart()).isNotEqualTo("l7103xszg118h8fqxrcqgd2jcbb5zriq");
    }

    @Test
    void pathsNixCannotMakeAndUnknownFormsAreRefused() {
        assertThatThrownBy(() -> compute("text:sha256:195sragjc913zdk67c376rv4mmwgcs304sncc34vp32l3pza35lv",
                "s3prnsnzh18q5g74q47zbx63clqmmgki-note.txt", List.of("s3prnsnzh18q5g74q47zbx63clqmmgki-note.txt")))
                .hasMessageContaining("cannot refer to itself");
        assertThatThrownBy(() -> compute("fixed:sha256:0cz729xf10lrw014jj2hlbxalgdpahxbg61gdg51jnryx8dqxrmr",
                "374kfmadwi8aqlyf1347zbjixndbbcl4-flat.txt", List.of("l82nr4gna33sc2g8m4hkkr6r983dlbd6-a.txt")))
                .hasMessageContaining("cannot have references");
        assertThatThrownBy(() -> ContentAddress.parse("git:sha1:abc")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("not a content address");
        assertThatThrownBy(() -> ContentAddress.parse("text:sha1:0cz729xf10lrw014jj2hlbxalgdpahxb"))
                .isInstanceOf(NixParseException.class);
    }
}
