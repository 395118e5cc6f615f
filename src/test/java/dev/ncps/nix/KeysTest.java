package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeysTest {
    /** Made by `nix-store --generate-binary-cache-key`; the signature below was written by `nix store sign`. */
    private static final String NIX_SECRET = "upstream-13775116578494-1:B8goqy831mKhqJhoCWgwfplgkULOAvQIXI4Ihb/2iVtLDyatpTaJGZeAuiC4ktJzO1XGXz9h93Ssvpq4fiE96g==";
    private static final String NIX_PUBLIC = "upstream-13775116578494-1:Sw8mraU2iRmXgLoguJLScztVxl8/Yfd0rL6auH4hPeo=";
    private static final String FINGERPRINT = "1;/nix/store/8rz6x8148iv37r6dpqld288ghlr6hldg-curl-8.9;"
            + "sha256:1j9m6wr6gyfj0iqvbydmjajcwnfv3651qbl5nv5f18h1kbjfwa31;1792;"
            + "/nix/store/ai27zdd9hw59flv6qyqwlmqaf50n74i3-zlib-1.3,/nix/store/akcby6six1rv78xwamgi32azdx3pb9nz-openssl-3.3,"
            + "/nix/store/hfy4f05fx3qrp1l32m09ifzfql4pabj7-libc-2.40";
    private static final String NIX_SIGNATURE = "upstream-13775116578494-1:unPnZjO4/SoTp/zddlmUZXo8LLaYto8a1pVxTdGRanWvlIajnVAuwECnrP481lkoiDb6Rm1XE0Q2uyjwK3cJDA==";

    @Test
    void signsExactlyAsNixDoes() throws Exception {
        SecretKey key = SecretKey.parse(NIX_SECRET + "\n");
        assertThat(key.name()).isEqualTo("upstream-13775116578494-1");
        assertThat(key.sign(FINGERPRINT)).isEqualTo(NIX_SIGNATURE);
        assertThat(key.publicKey().toNixString()).isEqualTo(NIX_PUBLIC);
        assertThat(key.toNixString()).isEqualTo(NIX_SECRET);
        assertThat(key.toString()).doesNotContain("B8goqy");
    }

    @Test
    void verifiesNixSignaturesAndNothingElse() throws Exception {
        PublicKey key = PublicKey.parse(NIX_PUBLIC);
        assertThat(key.verify(FINGERPRINT, NIX_SIGNATURE)).isTrue();
        assertThat(key.verify(FINGERPRINT.replace("1792", "1793"), NIX_SIGNATURE)).isFalse();
        assertThat(key.verify(FINGERPRINT, NIX_SIGNATURE.replace("upstream-13775116578494-1:", "other:"))).isFalse();
    }

    @Test
    void garbageSignaturesAreFalseNotExceptions() throws Exception {
        PublicKey key = PublicKey.parse(NIX_PUBLIC);
        String name = key.name() + ":";
        String zeros = Base64.getEncoder().encodeToString(new byte[64]);
        String ones = Base64.getEncoder().encodeToString(new byte[64]).replace('A', '/');
        for (String signature : List.of("", ":", name, name + "!!!", name + "AAAA", name + zeros, name + ones,
                name + Base64.getEncoder().encodeToString(new byte[65]), "no-colon", name + NIX_SIGNATURE)) {
            assertThat(key.verify(FINGERPRINT, signature)).as(signature).isFalse();
        }
        assertThat(key.verify(null, NIX_SIGNATURE)).isFalse();
        assertThat(key.verify(FINGERPRINT, null)).isFalse();
    }

    @Test
    void aPublicKeyThatIsNoCurvePointVerifiesNothing() throws Exception {
        // All-ones is not a valid encoding of a point; the JDK must not make verify throw.
        PublicKey bogus = PublicKey.parse("bogus:" + Base64.getEncoder().encodeToString(new byte[32]).replace('A', '/'));
        assertThat(bogus.verify(FINGERPRINT, NIX_SIGNATURE.replace("upstream-13775116578494-1", "bogus"))).isFalse();
    }

    @Test
    void generatedKeysSignAndVerifyAndRoundTrip() throws Exception {
        SecretKey key = SecretKey.generate("ncps.example.com-1");
        String signature = key.sign(FINGERPRINT);
        assertThat(signature).startsWith("ncps.example.com-1:");
        assertThat(key.publicKey().verify(FINGERPRINT, signature)).isTrue();
        SecretKey reparsed = SecretKey.parse(key.toNixString());
        assertThat(reparsed.sign(FINGERPRINT)).isEqualTo(signature);
        assertThat(PublicKey.parse(key.publicKey().toNixString())).isEqualTo(key.publicKey());
        assertThat(SecretKey.generate("ncps.example.com-1").sign(FINGERPRINT)).isNotEqualTo(signature);
    }

    @Test
    void rejectsMalformedKeys() {
        assertThatThrownBy(() -> SecretKey.parse("nocolon")).isInstanceOf(NixParseException.class).hasMessageContaining("not name:base64");
        assertThatThrownBy(() -> SecretKey.parse(":" + NIX_SECRET.split(":")[1])).isInstanceOf(NixParseException.class)
                .hasMessageContaining("key name is empty");
        assertThatThrownBy(() -> SecretKey.parse(NIX_PUBLIC)).isInstanceOf(NixParseException.class)
                .hasMessageContaining("32 bytes, expected 64");
        assertThatThrownBy(() -> PublicKey.parse(NIX_SECRET)).isInstanceOf(NixParseException.class)
                .hasMessageContaining("64 bytes, expected 32");
        assertThatThrownBy(() -> PublicKey.parse("a b:" + NIX_PUBLIC.split(":")[1])).isInstanceOf(NixParseException.class)
                .hasMessageContaining("no colon, space or control character");
        assertThatThrownBy(() -> PublicKey.parse("k:@@@@")).isInstanceOf(NixParseException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> SecretKey.generate("bad:name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsASecretKeyWhosePublicHalfIsSomeoneElses() throws Exception {
        byte[] bytes = Base64.getDecoder().decode(NIX_SECRET.split(":")[1]);
        bytes[40] ^= 1;
        String tampered = "k:" + Base64.getEncoder().encodeToString(bytes);
        assertThatThrownBy(() -> SecretKey.parse(tampered)).isInstanceOf(NixParseException.class)
                .hasMessageContaining("public half does not match");
    }
}
