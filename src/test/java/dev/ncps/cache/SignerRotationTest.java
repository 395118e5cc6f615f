package dev.ncps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.nix.StorePath;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignerRotationTest {
    private static final Instant UNTIL = Instant.parse("2027-01-31T00:00:00Z");
    private final SecretKey previous = SecretKey.generate("cache.example.com-1");
    private final SecretKey current = SecretKey.generate("cache.example.com-2");
    private final SecretKey upstream = SecretKey.generate("upstream-1");

    private NarInfo narInfo() throws Exception {
        NarInfo unsigned = new NarInfo(StorePath.parseBaseName("0".repeat(32) + "-hello"), "nar/" + "1".repeat(52) + ".nar.xz",
                Compression.XZ, null, -1, Hash.of(HashAlgorithm.SHA256, new byte[32]), 100, List.of(), null, null, List.of(), null);
        // stored before the rotation: the upstream's signature and the previous key's
        return unsigned.withSignatures(List.of(upstream.sign(unsigned.fingerprint()), previous.sign(unsigned.fingerprint())));
    }

    private Signer at(String time) {
        return new Signer(current, true, previous, UNTIL, Clock.fixed(Instant.parse(time), ZoneOffset.UTC));
    }

    @Test
    void duringTheRotationBothKeysSignAndTheUpstreamSignatureStays() throws Exception {
        NarInfo signed = at("2027-01-30T23:59:59Z").sign(narInfo());

        assertThat(signed.signatures()).hasSize(3);
        assertThat(current.publicKey().verify(signed.fingerprint(), signed.signatures().get(1))).isTrue();
        assertThat(previous.publicKey().verify(signed.fingerprint(), signed.signatures().get(2))).isTrue();
        assertThat(upstream.publicKey().verify(signed.fingerprint(), signed.signatures().get(0))).isTrue();
        assertThat(at("2027-01-30T23:59:59Z").sign(signed).signatures()).as("signing again changes nothing")
                .isEqualTo(signed.signatures());
    }

    @Test
    void afterTheRotationOnlyTheNewKeySignsAndThePreviousSignatureIsDropped() throws Exception {
        NarInfo signed = at("2027-01-31T00:00:00Z").sign(narInfo());

        assertThat(signed.signatures()).hasSize(2).noneMatch(s -> s.startsWith("cache.example.com-1:"));
        assertThat(current.publicKey().verify(signed.fingerprint(), signed.signatures().get(1))).isTrue();
    }

    @Test
    void aPreviousKeyWithTheSameNameIsRefusedBecauseNixTrustsOneKeyPerName() {
        SecretKey sameName = SecretKey.generate("cache.example.com-2");
        assertThatThrownBy(() -> new Signer(current, true, sameName, UNTIL, Clock.systemUTC()))
                .hasMessageContaining("same name").hasMessageContaining("cache.example.com-2");
    }
}
