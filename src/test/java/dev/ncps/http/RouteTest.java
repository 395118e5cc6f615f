package dev.ncps.http;

import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTest {
    private static final String NARINFO_HASH = "0c7ydhcd7yvlhz5yq2j2rmwsl1f4kxlz";
    private static final String NIX32_NAR = "1ip4jpp5kbcp9ydq8rjf8ykzzyc7w7y8xa5q1qqpzs9yprk2jhqc";
    private static final String HEX_NAR = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void fixedPathsAreTheirOwnRoutes() {
        assertThat(Route.parse("/")).isEqualTo(new Route.Root());
        assertThat(Route.parse("/nix-cache-info")).isEqualTo(new Route.CacheInfo());
        assertThat(Route.parse("/pubkey")).isEqualTo(new Route.PubKey());
        assertThat(Route.parse("/healthz")).isEqualTo(new Route.Healthz());
        assertThat(Route.parse("/readyz")).isEqualTo(new Route.Readyz());
        assertThat(Route.parse("/metrics")).isEqualTo(new Route.Metrics());
    }

    @Test
    void aNarInfoPathCarriesItsHash() {
        assertThat(Route.parse("/" + NARINFO_HASH + ".narinfo")).isEqualTo(new Route.NarInfo(NARINFO_HASH));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/0c7ydhcd7yvlhz5yq2j2rmwsl1f4kxl.narinfo",   // 31 characters
            "/0c7ydhcd7yvlhz5yq2j2rmwsl1f4kxlzz.narinfo", // 33
            "/0c7ydhcd7yvlhz5yq2j2rmwsl1f4kxle.narinfo",  // e is not in Nix's base-32
            "/0C7YDHCD7YVLHZ5YQ2J2RMWSL1F4KXLZ.narinfo",
            "/.narinfo"})
    void aMalformedNarInfoHashIsABadRequest(String path) {
        assertThat(Route.parse(path)).isInstanceOfSatisfying(Route.Invalid.class,
                invalid -> assertThat(invalid.status()).isEqualTo(400));
    }

    @Test
    void pinPathsCarryTheirHashAndTheirTemplatesStaySmall() {
        assertThat(Route.parse("/pin/" + NARINFO_HASH + ".narinfo")).isEqualTo(new Route.Pin(NARINFO_HASH));
        assertThat(Route.parse("/pins")).isEqualTo(new Route.PinList());
        assertThat(Route.Routed.of("/pin/" + NARINFO_HASH + ".narinfo").template()).isEqualTo("/pin/{hash}.narinfo");
        assertThat(Route.Routed.of("/pins").template()).isEqualTo("/pins");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/pin/", "/pin/x.narinfo", "/pin/" + NARINFO_HASH, "/pin/" + NARINFO_HASH + ".narinfo/x",
            "/pin/../" + NARINFO_HASH + ".narinfo"})
    void aMalformedPinPathIsRefusedWithItsShape(String path) {
        assertThat(Route.parse(path)).isEqualTo(new Route.Invalid(400,
                "invalid pin path: expected /pin/<32 characters of Nix's base-32 alphabet>.narinfo"));
    }

    @Test
    void aNarInfoBelowAFolderIsNotOurs() {
        assertThat(Route.parse("/nar/" + NARINFO_HASH + ".narinfo")).isInstanceOfSatisfying(Route.Invalid.class,
                invalid -> assertThat(invalid.status()).isEqualTo(400));
        assertThat(Route.parse("/x/" + NARINFO_HASH + ".narinfo")).isEqualTo(new Route.Invalid(404, "not found"));
    }

    @ParameterizedTest
    @CsvSource({"'', NONE", ".xz, XZ", ".zst, ZSTD", ".bz2, BZIP2", ".br, BROTLI", ".lz4, LZ4", ".gz, GZIP", ".lzip, LZIP"})
    void aNarPathCarriesItsHashAndCompression(String extension, Compression compression) {
        assertThat(Route.parse("/nar/" + NIX32_NAR + ".nar" + extension))
                .isEqualTo(new Route.Nar(new NarFileKey(NIX32_NAR, compression)));
    }

    @Test
    void aNarMayBeNamedInBase16() {
        assertThat(Route.parse("/nar/" + HEX_NAR + ".nar.xz")).isEqualTo(new Route.Nar(new NarFileKey(HEX_NAR, Compression.XZ)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/nar/" + NIX32_NAR,                    // no .nar
            "/nar/" + NIX32_NAR + "x.nar",          // 53 characters
            "/nar/1ip4jpp5kbcp9ydq8rjf8ykzzyc7w7y8xa5q1qqpzs9yprk2jhq.nar", // 51
            "/nar/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef.nar",
            "/nar/../" + NIX32_NAR + ".nar",
            "/nar/" + NIX32_NAR + ".nar.XZ",
            "/nar/sub/" + NIX32_NAR + ".nar"})
    void aMalformedNarPathIsABadRequest(String path) {
        assertThat(Route.parse(path)).isInstanceOfSatisfying(Route.Invalid.class,
                invalid -> assertThat(invalid.status()).isEqualTo(400));
    }

    @Test
    void anUnknownCompressionIsNamedInTheReason() {
        assertThat(Route.parse("/nar/" + NIX32_NAR + ".nar.rar")).isEqualTo(new Route.Invalid(400, "invalid NAR path: 'nar/"
                + NIX32_NAR + ".nar.rar': unknown NAR extension \".rar\" (allowed: none, .xz, .zst, .bz2, .br, .lzip, .lz4, .gz)"));
    }

    @Test
    void aMalformedNarPathSaysTheExpectedForm() {
        assertThat(Route.parse("/nar/abc.nar")).isEqualTo(new Route.Invalid(400, "invalid NAR path: 'nar/abc.nar' is not of "
                + "the form nar/<sha256 as 52 nix32 or 64 hex characters>.nar[.<ext>]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/index.html", "/nix-cache-info/", "/healthz/x", "//", "/upload"})
    void otherPathsAreNotFound(String path) {
        assertThat(Route.parse(path)).isEqualTo(new Route.Invalid(404, "not found"));
    }

    @ParameterizedTest
    @CsvSource({
            "/, /",
            "/" + NARINFO_HASH + ".narinfo, /{hash}.narinfo",
            "/nar/" + NIX32_NAR + ".nar.xz, /nar/{hash}.nar",
            "/upload/" + NARINFO_HASH + ".narinfo, /upload/{hash}.narinfo",
            "/upload/nar/" + NIX32_NAR + ".nar, /upload/nar/{hash}.nar",
            "/upload/nix-cache-info, /upload/nix-cache-info",
            "/build-trace-v2/" + NARINFO_HASH + "-p.drv/out.doi, /build-trace-v2/{drv}/{output}",
            "/upload/build-trace-v2/" + NARINFO_HASH + "-p.drv/dev, /upload/build-trace-v2/{drv}/{output}",
            "/build-trace-v2/x/out.doi, other",
            "/nar/nonsense, other",
            "/wp-login.php, other",
            "/uploader/x, other"})
    void metricsLabelAPathByItsTemplateFromAFixedSet(String path, String template) {
        assertThat(Route.Routed.of(path).template()).isEqualTo(template);
    }
}
