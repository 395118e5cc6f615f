package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.cache.UpstreamSource;
import dev.ncps.nix.NarFileKey;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarReader;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.StorePath;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Against a binary cache written and signed by the real nix (scripts/mkupstream.sh). */
@Tag("slow")
class RealNixCacheTest {

    @Test
    void everyPathOfARealCacheIsFoundVerifiedAndItsNarMatchesTheNarInfo() throws Exception {
        Path repo = Path.of(System.getProperty("ncps.repo.root", "."));
        Path out = repo.resolve("target/upstream-real-cache");
        Process build = new ProcessBuilder(repo.resolve("scripts/mkupstream.sh").toString(), out.toString(),
                "--compression", "xz", "--big-mib", "1").inheritIO().start();
        assertThat(build.waitFor()).isZero();
        PublicKey key = PublicKey.parse(Files.readString(out.resolve("key.pub")).strip());
        List<String> paths = Files.readAllLines(out.resolve("paths"));

        try (FakeUpstream server = new FakeUpstream(out.resolve("cache"), "/real");
             Upstreams upstreams = new Upstreams(List.of(new UpstreamSpec(server.url(), 0, List.of(key))),
                     UpstreamOptions.defaults(), Clock.systemUTC(), UpstreamListener.NONE)) {
            upstreams.start();
            upstreams.checkHealth();
            assertThat(upstreams.status().getFirst().health()).isEqualTo(Upstream.Health.HEALTHY);

            for (String path : paths) {
                String hash = StorePath.parse(path).hashPart();
                UpstreamSource.Found found = (UpstreamSource.Found) upstreams.lookupNarInfo(hash);
                var narInfo = found.narInfo();
                assertThat(NarFileKey.servedFor(narInfo).url()).isEqualTo(narInfo.url());

                MessageDigest digest = narInfo.fileHash().algorithm().newDigest();
                try (NarResponse nar = upstreams.openNar(upstreams.upstreams().getFirst(), found.narUri(), narInfo.fileSize());
                     InputStream hashed = new DigestInputStream(nar.body(), digest);
                     InputStream plain = narInfo.compression().decompress(hashed)) {
                    NarReader.Summary summary = NarReader.read(plain, false);
                    hashed.transferTo(java.io.OutputStream.nullOutputStream());
                    assertThat(summary.narHash()).isEqualTo(narInfo.narHash());
                    assertThat(summary.narSize()).isEqualTo(narInfo.narSize());
                }
                assertThat(Hash.of(narInfo.fileHash().algorithm(), digest.digest())).isEqualTo(narInfo.fileHash());
            }
        }
    }
}
