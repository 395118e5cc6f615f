package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NarInfoTest {
    /** As `nix copy` + `nix store sign` 2.8 write it (see NixClientInteropTest for the live check). */
    private static final String NIX_WRITTEN = """
            StorePath: /nix/store/8rz6x8148iv37r6dpqld288ghlr6hldg-curl-8.9
            URL: nar/1pq9ibgdb3khyv5l9f98jj5z61r6m11nnryrx4kf9wwx6glwa84q.nar.xz
            Compression: xz
            FileHash: sha256:1pq9ibgdb3khyv5l9f98jj5z61r6m11nnryrx4kf9wwx6glwa84q
            FileSize: 452
            NarHash: sha256:1j9m6wr6gyfj0iqvbydmjajcwnfv3651qbl5nv5f18h1kbjfwa31
            NarSize: 1792
            References: ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3 akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3 hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40
            Deriver: 7y5vbw707b3i6yqg5g102irjdj2y6l8m-curl-8.9.drv
            Sig: upstream-13775116578494-1:unPnZjO4/SoTp/zddlmUZXo8LLaYto8a1pVxTdGRanWvlIajnVAuwECnrP481lkoiDb6Rm1XE0Q2uyjwK3cJDA==
            """;
    private static final String MINIMAL = """
            StorePath: /nix/store/hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40
            URL: nar/1pskz4ps26smx6mwq3cm0zsfyqkwb2dci3asd2yvaan5w1lw481z.nar.xz
            NarHash: sha256:1gkdd9rcvn4ihvwcc9sy4v4mz46smbrnhknzlkllv5gk126zd421
            NarSize: 1456
            """;

    @Test
    void parsesEveryFieldNixWrites() throws Exception {
        NarInfo info = NarInfo.parse(NIX_WRITTEN + "System: x86_64-linux\nCA: fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s\n");
        assertThat(info.storePath().baseName()).isEqualTo("8rz6x8148iv37r6dpqld288ghlr6hldg-curl-8.9");
        assertThat(info.url()).isEqualTo("nar/1pq9ibgdb3khyv5l9f98jj5z61r6m11nnryrx4kf9wwx6glwa84q.nar.xz");
        assertThat(info.compression()).isEqualTo(Compression.XZ);
        assertThat(info.fileHash().nix32Digest()).isEqualTo("1pq9ibgdb3khyv5l9f98jj5z61r6m11nnryrx4kf9wwx6glwa84q");
        assertThat(info.fileSize()).isEqualTo(452);
        assertThat(info.narHash().toNix32String()).isEqualTo("sha256:1j9m6wr6gyfj0iqvbydmjajcwnfv3651qbl5nv5f18h1kbjfwa31");
        assertThat(info.narSize()).isEqualTo(1792);
        assertThat(info.references()).containsExactly("ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3",
                "akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3", "hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40");
        assertThat(info.deriver()).isEqualTo("7y5vbw707b3i6yqg5g102irjdj2y6l8m-curl-8.9.drv");
        assertThat(info.system()).isEqualTo("x86_64-linux");
        assertThat(info.signatures()).hasSize(1).first().asString().startsWith("upstream-13775116578494-1:");
        assertThat(info.ca()).startsWith("fixed:r:sha256:");
    }

    @Test
    void serializesWhatNixWroteByteForByte() throws Exception {
        assertThat(NarInfo.parse(NIX_WRITTEN).serialize()).isEqualTo(NIX_WRITTEN);
        String withEverything = NIX_WRITTEN + "Sig: other-1:c2ln\nCA: text:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s\n";
        String withSystem = withEverything.replace("Sig: upstream", "System: x86_64-linux\nSig: upstream");
        assertThat(NarInfo.parse(withSystem).serialize()).isEqualTo(withSystem);
    }

    @Test
    void alwaysWritesReferencesWithItsTrailingSpaceWhenEmpty() throws Exception {
        NarInfo info = NarInfo.parse(MINIMAL);
        assertThat(info.references()).isEmpty();
        assertThat(info.serialize()).contains("\nReferences: \n");
        assertThat(NarInfo.parse(MINIMAL + "References: \n").serialize()).isEqualTo(info.serialize());
        assertThat(NarInfo.parse(MINIMAL + "References:\n").references()).isEmpty();
    }

    @Test
    void missingCompressionMeansBzip2AndOptionalFieldsAreAbsent() throws Exception {
        NarInfo info = NarInfo.parse(MINIMAL);
        assertThat(info.compression()).isEqualTo(Compression.BZIP2);
        assertThat(info.fileHash()).isNull();
        assertThat(info.fileSize()).isEqualTo(-1);
        assertThat(info.deriver()).isNull();
        assertThat(info.system()).isNull();
        assertThat(info.ca()).isNull();
        assertThat(info.signatures()).isEmpty();
        assertThat(info.serialize()).doesNotContain("FileHash", "FileSize", "Deriver", "System", "Sig", "CA")
                .contains("Compression: bzip2\n");
    }

    @Test
    void ignoresUnknownKeysAndBlankLinesAndAcceptsAMissingFinalNewline() throws Exception {
        String text = "Future: thing\n" + MINIMAL.replace("NarSize", "\nX-Whatever: 1\nNarSize").stripTrailing();
        assertThat(NarInfo.parse(text)).isEqualTo(NarInfo.parse(MINIMAL));
    }

    @Test
    void dropsUnknownDeriver() throws Exception {
        assertThat(NarInfo.parse(MINIMAL + "Deriver: unknown-deriver\n").deriver()).isNull();
    }

    @Test
    void keepsBase16FileHashAsAHashAndWritesItInNix32() throws Exception {
        NarInfo info = NarInfo.parse(MINIMAL
                + "FileHash: sha256:36ab2837cbbf5257f2631d75581723386ef0260d9452b6f76bb6d8713415c03a\nFileSize: 50264\n");
        assertThat(info.fileHash().base16Digest()).isEqualTo("36ab2837cbbf5257f2631d75581723386ef0260d9452b6f76bb6d8713415c03a");
        assertThat(info.serialize()).contains("FileHash: sha256:" + info.fileHash().nix32Digest() + "\n");
    }

    @Test
    void keepsOpaqueUrlsVerbatim() throws Exception {
        String url = "nar/14vg46h9nbbqgbrbszrqm48f0bgzj6c4q3wkkcjf6gp53g8b21gh.nar?hash=jiwdym6f9w6v5jcbqf5wn7fmg11v5q0j&x=a:b c";
        assertThat(NarInfo.parse(MINIMAL.replaceFirst("URL: .*", "URL: " + url)).url()).isEqualTo(url);
    }

    @Test
    void fingerprintHasSortedAbsoluteReferences() throws Exception {
        NarInfo info = NarInfo.parse(NIX_WRITTEN.replace(
                "References: ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3 akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3",
                "References: akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3 ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3"));
        assertThat(info.fingerprint()).isEqualTo("1;/nix/store/8rz6x8148iv37r6dpqld288ghlr6hldg-curl-8.9;"
                + "sha256:1j9m6wr6gyfj0iqvbydmjajcwnfv3651qbl5nv5f18h1kbjfwa31;1792;"
                + "/nix/store/ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3,/nix/store/akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3,"
                + "/nix/store/hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40");
        assertThat(NarInfo.parse(MINIMAL).fingerprint()).endsWith(";1456;");
    }

    @Test
    void fingerprintUsesNix32EvenWhenNarHashWasBase16() throws Exception {
        NarInfo nix32 = NarInfo.parse(MINIMAL);
        NarInfo base16 = NarInfo.parse(MINIMAL.replace(nix32.narHash().toNix32String(), nix32.narHash().toBase16String()));
        assertThat(base16.fingerprint()).isEqualTo(nix32.fingerprint());
    }

    @Test
    void withUrlAndWithSignaturesReplaceOnlyThoseFields() throws Exception {
        NarInfo info = NarInfo.parse(NIX_WRITTEN);
        NarInfo moved = info.withUrl("nar/x.nar", Compression.NONE, null, -1).withSignatures(List.of("me-1:abc"));
        assertThat(moved.url()).isEqualTo("nar/x.nar");
        assertThat(moved.compression()).isEqualTo(Compression.NONE);
        assertThat(moved.fileHash()).isNull();
        assertThat(moved.signatures()).containsExactly("me-1:abc");
        assertThat(moved.fingerprint()).isEqualTo(info.fingerprint());
    }

    @Test
    void requiresTheFieldsNixRequires() {
        for (String key : List.of("StorePath", "URL", "NarHash", "NarSize")) {
            String text = MINIMAL.lines().filter(line -> !line.startsWith(key + ":")).map(line -> line + "\n")
                    .reduce("", String::concat);
            assertThatThrownBy(() -> NarInfo.parse(text)).isInstanceOf(NixParseException.class)
                    .hasMessage("narinfo: required field " + key + " is missing");
        }
    }

    @Test
    void errorsNameTheLineAndTheProblem() {
        assertError(MINIMAL.replace("NarSize: 1456", "NarSize: -1"), "narinfo line 4: NarSize: \"-1\" is not a size in bytes");
        assertError(MINIMAL.replace("NarSize: 1456", "NarSize: 9223372036854775808"), "narinfo line 4: NarSize: \"9223372036854775808\"");
        assertError(MINIMAL.replace("NarSize: 1456", "NarSize: 99999999999999999999999"), "narinfo line 4: NarSize:");
        assertError(MINIMAL.replace("NarSize: 1456", "NarSize: 0"), "narinfo line 4: NarSize: must be positive");
        assertError(MINIMAL + "FileSize: 1e3\n", "narinfo line 5: FileSize:");
        assertError(MINIMAL + "garbage\n", "narinfo line 5: expected \"Key: value\", found \"garbage\"");
        assertError(MINIMAL + "StorePath: /nix/store/hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40\n", "narinfo line 5: duplicate StorePath (first on line 1)");
        assertError(MINIMAL.replace("/nix/store/", "/nix/store/../"), "narinfo line 1: StorePath:");
        assertError(MINIMAL + "Compression: rar\n", "narinfo line 5: Compression: unknown compression \"rar\"");
        assertError(MINIMAL + "References: ../../etc\n", "narinfo line 5: References:");
        assertError(MINIMAL + "Deriver: nope\n", "narinfo line 5: Deriver:");
        assertError(MINIMAL.replace("NarHash: sha256:", "NarHash: md5:3y8bwfr609h3lh9ch0izcqq7fl#"), "narinfo line 3: NarHash:");
        assertError(MINIMAL.replace("NarHash: sha256:1gkdd9rcvn4ihvwcc9sy4v4mz46smbrnhknzlkllv5gk126zd421",
                "NarHash: md5:3y8bwfr609h3lh9ch0izcqq7fl"), "narinfo line 3: NarHash: must be a sha256 hash, not md5");
        assertError(MINIMAL.replace("\n", "\r\n"), "narinfo line 1: carriage return");
        assertError(MINIMAL + "Sig: \n", "narinfo line 5: Sig: value is empty");
    }

    @Test
    void constructorRejectsValuesThatWouldBreakTheFormat() throws Exception {
        NarInfo info = NarInfo.parse(MINIMAL);
        assertThatThrownBy(() -> info.withSignatures(List.of("a:b\nStorePath: evil"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> info.withUrl("x\ny", Compression.NONE, null, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> info.withUrl("x", Compression.NONE, null, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertError(String text, String messageStart) {
        assertThatThrownBy(() -> NarInfo.parse(text)).isInstanceOf(NixParseException.class).hasMessageStartingWith(messageStart);
    }

    @Test
    void theUrlOfASerializedNarInfoIsReadWithoutParsingIt() throws Exception {
        for (String text : List.of(NIX_WRITTEN, MINIMAL)) {
            NarInfo info = NarInfo.parse(text);
            assertThat(NarInfo.urlOf(info.serialize())).isEqualTo(info.url());
        }
        assertThat(NarInfo.urlOf("StorePath: /nix/store/x\nCompression: none\n")).isNull();
        assertThat(NarInfo.urlOf("StorePath: /nix/store/x\nURL: nar/a.nar")).isEqualTo("nar/a.nar");
    }
}
