package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/** The expected listings are what nix-bin 2.8 wrote ({@code nix copy --to file://...?write-nar-listing=true}). */
class NarListingTest {

    private static String listing(byte[] nar) throws Exception {
        return NarListing.json(NarReader.read(new ByteArrayInputStream(nar), true).entries());
    }

    @Test
    void aTreeWithAnExecutableASymlinkAndANameToEscape() throws Exception {
        byte[] nar = NarBuilder.archive().tokens("(", "type", "directory")
                .entry("f").regular("hello\n", false).str(")")
                .entry("sub").tokens("(", "type", "directory")
                .entry("exe").regular("x", true).str(")")
                .entry("link").symlink("../f").str(")")
                .entry("na\"me").regular("q\"\\\n", false).str(")")
                .str(")").str(")")
                .str(")").build();

        assertThat(listing(nar)).isEqualTo("{\"version\":1,\"root\":{\"type\":\"directory\",\"entries\":{"
                + "\"f\":{\"type\":\"regular\",\"size\":6,\"narOffset\":232},"
                + "\"sub\":{\"type\":\"directory\",\"entries\":{"
                + "\"exe\":{\"type\":\"regular\",\"size\":1,\"executable\":true,\"narOffset\":592},"
                + "\"link\":{\"type\":\"symlink\",\"target\":\"../f\"},"
                + "\"na\\\"me\":{\"type\":\"regular\",\"size\":4,\"narOffset\":976}}}}}}");
    }

    @Test
    void aSingleFileOrSymlinkIsTheRoot() throws Exception {
        assertThat(listing(NarBuilder.archive().regular("abc", false).build()))
                .isEqualTo("{\"version\":1,\"root\":{\"type\":\"regular\",\"size\":3,\"narOffset\":96}}");
        assertThat(listing(NarBuilder.archive().symlink("a\tb").build()))
                .isEqualTo("{\"version\":1,\"root\":{\"type\":\"symlink\",\"target\":\"a\\tb\"}}");
    }

    @Test
    void siblingsThatShareAPrefixStayApart() throws Exception {
        byte[] nar = NarBuilder.archive().tokens("(", "type", "directory")
                .entry("a").tokens("(", "type", "directory").entry("x").regular("", false).str(")").str(")").str(")")
                .entry("ab").regular("", false).str(")")
                .str(")").build();
        assertThat(listing(nar).replaceAll(",\"narOffset\":\\d+", "")).isEqualTo(
                "{\"version\":1,\"root\":{\"type\":\"directory\",\"entries\":{"
                + "\"a\":{\"type\":\"directory\",\"entries\":{\"x\":{\"type\":\"regular\",\"size\":0}}},"
                + "\"ab\":{\"type\":\"regular\",\"size\":0}}}}");
    }

    @Test
    void aListingFromElsewhereIsCheckedAsFarAsItCanBeWithoutItsNar() throws Exception {
        String ours = listing(NarBuilder.archive().tokens("(", "type", "directory")
                .entry("f").regular("hello\n", false).str(")").str(")").build());
        NarListing.check(ours, 1000);

        assertThatThrownBy(() -> NarListing.check(ours, 5)).hasMessageContaining("more than the NAR's 5");
        assertThatThrownBy(() -> NarListing.check("{\"version\":2,\"root\":{}}", 1000)).hasMessageContaining("version 1");
        assertThatThrownBy(() -> NarListing.check("{\"version\":1,\"root\":{\"type\":\"directory\",\"entries\":{\"..\":"
                + "{\"type\":\"symlink\",\"target\":\"x\"}}}}", 1000)).hasMessageContaining("is not a file name");
        assertThatThrownBy(() -> NarListing.check("{\"version\":1,\"root\":{\"type\":\"regular\",\"size\":-1}}", 1000))
                .hasMessageContaining("without a size");
        assertThatThrownBy(() -> NarListing.check("{\"version\":1,\"root\":{\"type\":\"fifo\"}}", 1000))
                .hasMessageContaining("unknown type");
    }
}
