package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class RealNarInfoFixturesTest {
    static final List<String> NARINFOS = Fixtures.NARINFOS;
    /** Fixtures written in a dialect we normalise (base16 FileHash, unknown-deriver, no References line). */
    private static final Set<String> NORMALISED = Set.of("1gxz5nfzfnhyxjdyzi04r86sh61y4i00",
            "6lwdzpbig6zz8678blcqr5f5q1caxjw2", "yj1wxm9hh8610iyzqnz75kvs6xl8j3my");
    private static final List<PublicKey> KEYS = Fixtures.publicKeys();

    @ParameterizedTest
    @FieldSource("NARINFOS")
    void everySignatureOfAKnownKeyVerifies(String hashPart) throws Exception {
        NarInfo info = NarInfo.parse(Fixtures.narinfo(hashPart));
        assertThat(info.storePath().hashPart()).isEqualTo(hashPart);
        int verified = 0;
        for (String signature : info.signatures()) {
            for (PublicKey key : KEYS) {
                if (signature.startsWith(key.name() + ":")) {
                    assertThat(key.verify(info.fingerprint(), signature)).as(signature).isTrue();
                    verified++;
                }
            }
        }
        assertThat(verified).isPositive();
        assertThat(PublicKey.verifiesAny(info, KEYS)).isTrue();
    }

    @ParameterizedTest
    @FieldSource("NARINFOS")
    void oneChangedByteInASignedFieldBreaksTheSignature(String hashPart) throws Exception {
        String text = Fixtures.narinfo(hashPart);
        for (String key : List.of("NarHash", "NarSize", "StorePath", "References")) {
            if (!text.contains("\n" + key + ": ") && !text.startsWith(key + ": ")) continue;
            String tampered = changeLastCharacterOf(text, key);
            assertThat(tampered).isNotEqualTo(text);
            NarInfo info = NarInfo.parse(tampered);
            assertThat(PublicKey.verifiesAny(info, KEYS)).as(key + " changed").isFalse();
        }
    }

    @Test
    void unsignedFieldsMayChangeWithoutBreakingTheSignature() throws Exception {
        NarInfo info = NarInfo.parse(Fixtures.narinfo("1gxz5nfzfnhyxjdyzi04r86sh61y4i00"));
        NarInfo moved = info.withUrl("nar/elsewhere.nar.zst", Compression.ZSTD, null, -1);
        assertThat(PublicKey.verifiesAny(moved, KEYS)).isTrue();
    }

    @ParameterizedTest
    @FieldSource("NARINFOS")
    void reserializesLikeNixWouldWriteIt(String hashPart) throws Exception {
        String text = Fixtures.narinfo(hashPart);
        NarInfo info = NarInfo.parse(text);
        assertThat(NarInfo.parse(info.serialize())).isEqualTo(info);
        if (!NORMALISED.contains(hashPart)) assertThat(info.serialize()).isEqualTo(text);
    }

    @Test
    void understandsEveryDialectInTheFixtures() throws Exception {
        NarInfo base16FileHash = NarInfo.parse(Fixtures.narinfo("1gxz5nfzfnhyxjdyzi04r86sh61y4i00"));
        assertThat(base16FileHash.fileHash().base16Digest()).isEqualTo("36ab2837cbbf5257f2631d75581723386ef0260d9452b6f76bb6d8713415c03a");

        NarInfo twoSigs = NarInfo.parse(Fixtures.narinfo("6lwdzpbig6zz8678blcqr5f5q1caxjw2"));
        assertThat(twoSigs.deriver()).isNull();
        assertThat(twoSigs.signatures()).hasSize(2);
        assertThat(twoSigs.serialize()).doesNotContain("Deriver");

        NarInfo uncompressed = NarInfo.parse(Fixtures.narinfo("c12lxpykv6sld7a0sakcnr3y0la70x8w"));
        assertThat(uncompressed.compression()).isEqualTo(Compression.NONE);
        assertThat(uncompressed.fileHash()).isNull();
        assertThat(uncompressed.fileSize()).isEqualTo(-1);

        NarInfo queryUrl = NarInfo.parse(Fixtures.narinfo("jiwdym6f9w6v5jcbqf5wn7fmg11v5q0j"));
        assertThat(queryUrl.url()).endsWith(".nar?hash=jiwdym6f9w6v5jcbqf5wn7fmg11v5q0j");

        NarInfo hexUrl = NarInfo.parse(Fixtures.narinfo("yj1wxm9hh8610iyzqnz75kvs6xl8j3my"));
        assertThat(hexUrl.url()).isEqualTo("nar/504dd9a697cdfa0ddc22552ca66b3322afd52beee44642419d0fff83bb9071e2.nar.zst");
        assertThat(hexUrl.compression()).isEqualTo(Compression.ZSTD);
        assertThat(hexUrl.references()).isEmpty();
    }

    /** Replaces the last character of the key's value by its neighbour in the same character class. */
    static String changeLastCharacterOf(String text, String key) {
        int start = text.startsWith(key + ": ") ? 0 : text.indexOf("\n" + key + ": ") + 1;
        int end = text.indexOf('\n', start);
        int at = end - 1;
        char c = text.charAt(at);
        char replacement;
        if (Character.isDigit(c)) replacement = c == '9' ? '8' : (char) (c + 1);
        else {
            int digit = NixBase32.ALPHABET.indexOf(c);
            replacement = NixBase32.ALPHABET.charAt(digit == 31 ? 30 : digit + 1);
        }
        return text.substring(0, at) + replacement + text.substring(at + 1);
    }
}
