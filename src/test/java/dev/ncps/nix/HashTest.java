package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashTest {
    private static final String EMPTY_NIX32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
    private static final String EMPTY_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String EMPTY_BASE64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    @Test
    void everyTextFormOfTheSameDigestIsEqual() throws Exception {
        Hash fromNix32 = Hash.parse("sha256:" + EMPTY_NIX32);
        assertThat(Hash.parse("sha256:" + EMPTY_HEX)).isEqualTo(fromNix32).hasSameHashCodeAs(fromNix32);
        assertThat(Hash.parse("sha256:" + EMPTY_BASE64)).isEqualTo(fromNix32);
        assertThat(Hash.parse("sha256-" + EMPTY_BASE64)).isEqualTo(fromNix32);
        assertThat(Hash.parse(HashAlgorithm.SHA256, EMPTY_HEX.toUpperCase())).isEqualTo(fromNix32);
    }

    @Test
    void convertsBetweenForms() throws Exception {
        Hash hash = Hash.parse("sha256:" + EMPTY_HEX);
        assertThat(hash.toNix32String()).isEqualTo("sha256:" + EMPTY_NIX32).isEqualTo(hash.toString());
        assertThat(hash.toBase16String()).isEqualTo("sha256:" + EMPTY_HEX);
        assertThat(hash.toSri()).isEqualTo("sha256-" + EMPTY_BASE64);
        assertThat(hash.nix32Digest()).isEqualTo(EMPTY_NIX32);
        assertThat(hash.base16Digest()).isEqualTo(EMPTY_HEX);
    }

    @Test
    void matchesTheJdkDigest() {
        byte[] digest = HashAlgorithm.SHA256.newDigest().digest("abc".getBytes(StandardCharsets.US_ASCII));
        // `nix-hash --type sha256 --flat --base32` of "abc"
        assertThat(Hash.of(HashAlgorithm.SHA256, digest).nix32Digest()).isEqualTo("1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s");
    }

    @Test
    void parsesOtherAlgorithmsByLength() throws Exception {
        assertThat(Hash.parse("md5:3y8bwfr609h3lh9ch0izcqq7fl").base16Digest()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
        assertThat(Hash.parse("sha1:kpcd173cq987hw957sx6m0868wv3x6d9").base16Digest())
                .isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
        Hash sha512 = Hash.parse("sha512:0zdl9zrg8r3i9c1g90lgg9ip5ijzv3yhz91i0zzn3r8ap9ws784gkp9dk9j3aglhgf1amqb0pj21mh7h1nxcl18akqvvf7ggqsy30yg");
        assertThat(sha512.base16Digest()).startsWith("cf83e1357eefb8bd");
        assertThat(Hash.parse(sha512.toSri())).isEqualTo(sha512);
    }

    @Test
    void rejectsUnknownAlgorithmsAndMissingPrefixes() {
        assertThatThrownBy(() -> Hash.parse("sha3:" + EMPTY_HEX)).isInstanceOf(NixParseException.class)
                .hasMessageContaining("unknown hash algorithm \"sha3\"");
        assertThatThrownBy(() -> Hash.parse(EMPTY_HEX)).isInstanceOf(NixParseException.class)
                .hasMessageContaining("no algorithm prefix");
    }

    @Test
    void rejectsWrongLengthsAndCharacters() {
        assertThatThrownBy(() -> Hash.parse("sha256:abc")).isInstanceOf(NixParseException.class)
                .hasMessageContaining("has 3 characters; expected 64 (base16), 52 (nix32) or 44 (base64)");
        assertThatThrownBy(() -> Hash.parse("sha256:" + EMPTY_HEX.replace('e', 'g')))
                .isInstanceOf(NixParseException.class).hasMessageContaining("base16").hasMessageContaining("'g'");
        assertThatThrownBy(() -> Hash.parse("sha256:" + EMPTY_NIX32.replace('m', 'e')))
                .isInstanceOf(NixParseException.class).hasMessageContaining("invalid character 'e'");
        assertThatThrownBy(() -> Hash.parse("sha256-" + EMPTY_BASE64.replace('=', 'A')))
                .isInstanceOf(NixParseException.class).hasMessageContaining("base64");
    }

    @Test
    void rejectsNonCanonicalBase64() {
        // 'V' and 'U' differ only in bits that fall off the end of the 32 bytes.
        assertThatThrownBy(() -> Hash.parse("sha256-" + EMPTY_BASE64.replace("uFU=", "uFV=")))
                .isInstanceOf(NixParseException.class).hasMessageContaining("canonical");
    }

    @Test
    void refusesDigestsOfTheWrongSize() {
        assertThatThrownBy(() -> Hash.of(HashAlgorithm.SHA256, new byte[20])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void digestIsACopy() throws Exception {
        Hash hash = Hash.parse("sha256:" + EMPTY_NIX32);
        hash.digest()[0] = 0;
        assertThat(hash.base16Digest()).isEqualTo(EMPTY_HEX);
    }
}
