package dev.ncps.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The build trace entry against the protocol text (Nix's binary cache store and build-trace-entry JSON schema): the
 * {@code .doi} body is the value, a signature covers the compact key+value JSON without signatures, members in name
 * order. Debian's nix-bin (2.8) predates build-trace-v2, so no real client checks this; the vectors are the
 * protocol's.
 */
class BuildTraceTest {
    static final String DRV = "00000000000000000000000000000000-producer.drv";
    static final String OUT = "11111111111111111111111111111111-produced";
    static final StorePath DRV_PATH = parse(DRV);

    static StorePath parse(String baseName) {
        try {
            return StorePath.parseBaseName(baseName);
        } catch (NixParseException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theFingerprintIsTheCompactKeyAndValueWithoutSignaturesInNameOrder() throws Exception {
        BuildTrace trace = BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\",\"signatures\":[]}");

        assertThat(trace.fingerprint()).isEqualTo(
                "{\"key\":{\"drvPath\":\"" + DRV + "\",\"outputName\":\"out\"},\"value\":{\"outPath\":\"" + OUT + "\"}}");
        assertThat(trace.valueJson()).isEqualTo("{\"outPath\":\"" + OUT + "\",\"signatures\":[]}");
    }

    @Test
    void whatIsServedParsesBackToTheSameEntryAndItsSignatureVerifies() throws Exception {
        SecretKey key = SecretKey.generate("cache.example-1");
        BuildTrace unsigned = BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\"}");
        BuildTrace signed = unsigned.withSignatures(List.of(key.sign(unsigned.fingerprint())));

        BuildTrace reparsed = BuildTrace.parse(DRV_PATH, "out", signed.valueJson());

        assertThat(reparsed).isEqualTo(signed);
        assertThat(signed.valueJson()).contains("{\"keyName\":\"cache.example-1\",\"sig\":\"");
        assertThat(key.publicKey().verify(reparsed.fingerprint(), reparsed.signatures().getFirst())).isTrue();
        // The key is part of what is signed: the same value under another output does not verify.
        BuildTrace otherOutput = BuildTrace.parse(DRV_PATH, "dev", signed.valueJson());
        assertThat(key.publicKey().verify(otherOutput.fingerprint(), otherOutput.signatures().getFirst())).isFalse();
    }

    @Test
    void olderAndGoNcpsFormsAreAccepted() throws Exception {
        String sig = Base64.getEncoder().encodeToString(new byte[64]);
        BuildTrace stringSignatures = BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\",\"signatures\":[\"k:"
                + sig + "\"],\"dependentRealisations\":{}}");
        BuildTrace keyed = BuildTrace.parse(DRV_PATH, "out", "{\"key\":{\"drvPath\":\"/nix/store/" + DRV
                + "\",\"outputName\":\"out\"},\"value\":{\"outPath\":\"/nix/store/" + OUT + "\",\"signatures\":[{\"keyName\":\"k\",\"sig\":\""
                + sig + "\"}]}}");

        assertThat(stringSignatures).isEqualTo(keyed);
        assertThat(keyed.outPath()).isEqualTo(parse(OUT));
        assertThat(keyed.signatures()).containsExactly("k:" + sig);
    }

    @Test
    void malformedEntriesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"not-a-store-path\"}"))
                .isInstanceOf(NixParseException.class).hasMessageContaining("not-a-store-path");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"signatures\":[]}"))
                .hasMessageContaining("outPath is missing");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\",\"signatures\":[\"nocolon\"]}"))
                .hasMessageContaining("not name:base64");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\",\"signatures\":[\"k:AAAA\"]}"))
                .hasMessageContaining("not 64 bytes");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"key\":{\"drvPath\":\"" + DRV
                + "\",\"outputName\":\"dev\"},\"value\":{\"outPath\":\"" + OUT + "\"}}"))
                .hasMessageContaining("is not the one in the URL");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\"} x"))
                .hasMessageContaining("after the document");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "{\"outPath\":\"" + OUT + "\",\"outPath\":\"" + OUT + "\"}"))
                .hasMessageContaining("duplicate member");
        assertThatThrownBy(() -> BuildTrace.parse(DRV_PATH, "out", "[" .repeat(100) + "]".repeat(100)))
                .hasMessageContaining("nested deeper");
    }

    @Test
    void onlyDerivationsAndNixOutputNamesMakeAKey() {
        assertThat(BuildTrace.isValidOutputName("out")).isTrue();
        assertThat(BuildTrace.isValidOutputName("dev-2")).isTrue();
        assertThat(BuildTrace.isValidOutputName("")).isFalse();
        assertThat(BuildTrace.isValidOutputName(".hidden")).isFalse();
        assertThat(BuildTrace.isValidOutputName("a/b")).isFalse();
        assertThatThrownBy(() -> new BuildTrace(parse(OUT), "out", parse(OUT), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
