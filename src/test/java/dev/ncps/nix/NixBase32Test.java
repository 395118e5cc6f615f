package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NixBase32Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void encodesDigestsLikeNixHash() {
        // Vectors from `nix-hash --flat --base32` of the empty string and "abc".
        assertThat(NixBase32.encode(HEX.parseHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")))
                .isEqualTo("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73");
        assertThat(NixBase32.encode(HEX.parseHex("d41d8cd98f00b204e9800998ecf8427e"))).isEqualTo("3y8bwfr609h3lh9ch0izcqq7fl");
        assertThat(NixBase32.encode(HEX.parseHex("a9993e364706816aba3e25717850c26c9cd0d89d")))
                .isEqualTo("kpcd173cq987hw957sx6m0868wv3x6d9");
    }

    @Test
    void decodesBackToTheSameBytes() throws Exception {
        Random random = new Random(42);
        for (int size = 0; size <= 70; size++) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            String text = NixBase32.encode(bytes);
            assertThat(text).hasSize(NixBase32.encodedLength(size));
            assertThat(NixBase32.decode(text, size)).isEqualTo(bytes);
        }
    }

    @Test
    void encodedLengthsMatchNix() {
        assertThat(NixBase32.encodedLength(16)).isEqualTo(26);
        assertThat(NixBase32.encodedLength(20)).isEqualTo(32);
        assertThat(NixBase32.encodedLength(32)).isEqualTo(52);
        assertThat(NixBase32.encodedLength(64)).isEqualTo(103);
        assertThat(NixBase32.encodedLength(0)).isZero();
    }

    @Test
    void rejectsCharactersOutsideTheAlphabet() {
        // e, o, u and t are left out of Nix's alphabet.
        for (char bad : new char[] {'e', 'o', 'u', 't', 'A', '/', '.', 'é'}) {
            String text = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7" + bad;
            assertThatThrownBy(() -> NixBase32.decode(text, 32))
                    .isInstanceOf(NixParseException.class).hasMessageContaining("invalid character").hasMessageContaining("position 51");
        }
    }

    @Test
    void rejectsWrongLengths() {
        assertThatThrownBy(() -> NixBase32.decode("0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c7", 32))
                .isInstanceOf(NixParseException.class).hasMessageContaining("must have 52 characters, not 51");
    }

    @Test
    void rejectsNonZeroExcessBits() {
        // 32 bytes are 256 bits, 52 digits carry 260: the first digit may only use its lowest bit.
        assertThat(NixBase32.encode(new byte[32]).charAt(0)).isEqualTo('0');
        String excess = "2" + "0".repeat(51);
        assertThatThrownBy(() -> NixBase32.decode(excess, 32))
                .isInstanceOf(NixParseException.class).hasMessageContaining("excess bits");
    }

    @Test
    void recognisesTheAlphabet() {
        assertThat(NixBase32.isBase32("0123456789abcdfghijklmnpqrsvwxyz")).isTrue();
        assertThat(NixBase32.isBase32("e")).isFalse();
        assertThat(NixBase32.isBase32("\u0660")).isFalse();
    }
}
