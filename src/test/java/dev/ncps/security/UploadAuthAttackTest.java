package dev.ncps.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.SecretKey;
import dev.ncps.testing.NixClient;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;
import dev.ncps.testing.UpstreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The attack of issue 8, finding 1: with PUT and DELETE allowed and a read token set, a client replaces a
 * path ncps already cached from its upstream with its own NAR and an unsigned narinfo, ncps signs it, and a
 * real {@code nix copy} trusting only the ncps key installs the attacker's bytes. The forged narinfo here
 * names the closure root but carries the NAR (and hashes) of another path of the same cache: a valid archive,
 * so nothing but authentication, trust and the overwrite rule can stop it.
 */
@Tag("slow")
@Tag("security")
class UploadAuthAttackTest {
    private static final String TOKEN = "the-only-token";

    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final HttpClient http = Http.client();
    private final List<AutoCloseable> fixtures = new ArrayList<>();
    private UpstreamServer upstream;
    private String root;
    private String other;

    @BeforeEach
    void start() {
        upstream = track(new UpstreamServer(cache.cacheDir()));
        root = NixUpstreamCache.hashOf(cache.closureRoot());
        other = NixUpstreamCache.hashOf(cache.storePaths().get(1));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable fixture : fixtures.reversed()) {
            fixture.close();
        }
        http.close();
    }

    private <T extends AutoCloseable> T track(T fixture) {
        fixtures.add(fixture);
        return fixture;
    }

    private InProcessNcps ncps(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of("CACHE_ALLOW_PUT_VERB", "true",
                "CACHE_ALLOW_DELETE_VERB", "true", "CACHE_GET_TOKEN", TOKEN));
        settings.putAll(more);
        return track(InProcessNcps.start(upstream.url(), cache.publicKey(), settings));
    }

    @Test
    void aClientWithoutTheTokenCannotReplaceACachedPathAndNixStillInstallsTheUpstreamContent() throws Exception {
        InProcessNcps ncps = ncps(Map.of());
        String rootNarUrl = warm(ncps);
        String forged = forgedRootNarInfo().serialize();
        byte[] otherNar = Files.readAllBytes(cache.narFile(other));

        for (String[] credentials : List.of(new String[0], new String[] {"Authorization", "Bearer wrong"},
                new String[] {"Authorization", basic("wrong")})) {
            String who = credentials.length == 0 ? "no token" : credentials[1];
            assertThat(Http.send(http, "PUT", ncps.url("/upload/" + cache.narUrl(other)), otherNar, credentials).statusCode())
                    .as("PUT NAR, %s", who).isEqualTo(401);
            HttpResponse<byte[]> narInfo = Http.send(http, "PUT", ncps.url("/upload/" + root + ".narinfo"),
                    forged.getBytes(StandardCharsets.UTF_8), credentials);
            assertThat(narInfo.statusCode()).as("PUT narinfo, %s: %s", who, Http.text(narInfo)).isEqualTo(401);
            assertThat(narInfo.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(Http.send(http, "DELETE", ncps.url("/" + root + ".narinfo"), new byte[0], credentials).statusCode())
                    .as("DELETE narinfo, %s", who).isEqualTo(401);
            assertThat(Http.send(http, "DELETE", ncps.url("/" + rootNarUrl), new byte[0], credentials).statusCode())
                    .as("DELETE NAR, %s", who).isEqualTo(401);
        }

        assertNixInstallsTheUpstreamContent(ncps);
    }

    @Test
    void anUploaderWithTheTokenCannotReplaceACachedPathEither() throws Exception {
        SecretKey uploader = SecretKey.generate("uploader-1");
        InProcessNcps ncps = ncps(Map.of("CACHE_TRUSTED_UPLOAD_KEYS", uploader.publicKey().toNixString()));
        warm(ncps);
        NarInfo forged = forgedRootNarInfo();
        String[] token = {"Authorization", "Bearer " + TOKEN};
        assertThat(Http.send(http, "PUT", ncps.url("/upload/" + cache.narUrl(other)),
                Files.readAllBytes(cache.narFile(other)), token).statusCode()).as("a genuine NAR").isEqualTo(204);

        HttpResponse<byte[]> unsigned = Http.send(http, "PUT", ncps.url("/upload/" + root + ".narinfo"),
                forged.serialize().getBytes(StandardCharsets.UTF_8), token);
        assertThat(unsigned.statusCode()).as(Http.text(unsigned)).isEqualTo(403);

        NarInfo trusted = forged.withSignatures(List.of(uploader.sign(forged.fingerprint())));
        HttpResponse<byte[]> replacing = Http.send(http, "PUT", ncps.url("/upload/" + root + ".narinfo"),
                trusted.serialize().getBytes(StandardCharsets.UTF_8), token);
        assertThat(replacing.statusCode()).as(Http.text(replacing)).isEqualTo(409);
        assertThat(Http.text(replacing)).contains("already");

        HttpResponse<byte[]> same = Http.send(http, "PUT", ncps.url("/upload/" + root + ".narinfo"),
                cache.narInfoText(root).getBytes(StandardCharsets.UTF_8), token);
        assertThat(same.statusCode()).as("re-upload of the cached narinfo is harmless: %s", Http.text(same)).isEqualTo(204);

        assertNixInstallsTheUpstreamContent(ncps);
    }

    @Test
    void aRealNixUploadsWithTheUploadTokenFromItsNetrcAndNotWithout() throws Exception {
        InProcessNcps ncps = ncps(Map.of("CACHE_GET_TOKEN", "", "CACHE_UPLOAD_TOKEN", "uploader-token"));
        Path work = TestDirs.newWorkDir("nix-client");
        Path netrc = Files.writeString(work.resolve("netrc"), "machine " + Processes.LOOPBACK + " password uploader-token\n");
        try (NixClient nix = new NixClient(work, Duration.ofMinutes(2), List.of())) {
            NixClient.Copy local = nix.copyClosure(upstream.url(), cache.publicKey(), cache.closureRoot());
            assertThat(local.succeeded()).as("%s", local.result()).isTrue();
            List<String> upload = List.of("experimental-features = nix-command", "substituters =", "require-sigs = false",
                    "build-users-group =", "sandbox = false", "download-attempts = 1");
            String[] copy = {"copy", "--from", local.store().root().toString(), "--to", ncps.url("/upload").toString(),
                    cache.closureRoot()};

            NixClient.Result anonymous = nix.nix(upload, copy);
            assertThat(anonymous.succeeded()).as("%s", anonymous).isFalse();
            assertThat(Http.get(http, ncps.url("/upload/" + root + ".narinfo")).statusCode()).isEqualTo(404);

            List<String> withNetrc = new ArrayList<>(upload);
            withNetrc.add("netrc-file = " + netrc);
            NixClient.Result authenticated = nix.nix(withNetrc, copy);
            assertThat(authenticated.succeeded()).as("%s", authenticated).isTrue();
            assertThat(Http.get(http, ncps.url("/upload/" + root + ".narinfo")).statusCode()).isEqualTo(200);
        }
    }

    /** Caches the root's narinfo and NAR from upstream (a reader with the token); returns the NAR's URL. */
    private String warm(InProcessNcps ncps) throws Exception {
        HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + root + ".narinfo"), "Authorization", "Bearer " + TOKEN);
        assertThat(narInfo.statusCode()).isEqualTo(200);
        String url = NarInfo.parse(Http.text(narInfo)).url();
        assertThat(Http.get(http, ncps.url("/" + url), "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        return url;
    }

    /** The root's store path with another path's NAR, no references and no signature. */
    private NarInfo forgedRootNarInfo() throws Exception {
        NarInfo real = NarInfo.parse(cache.narInfoText(root));
        NarInfo donor = NarInfo.parse(cache.narInfoText(other));
        return new NarInfo(real.storePath(), donor.url(), donor.compression(), donor.fileHash(), donor.fileSize(),
                donor.narHash(), donor.narSize(), List.of(), null, null, List.of(), null);
    }

    /** A real nix, given the token through netrc and trusting only the ncps key, gets the root as upstream built it. */
    private void assertNixInstallsTheUpstreamContent(InProcessNcps ncps) throws IOException {
        Path work = TestDirs.newWorkDir("nix-client");
        Path netrc = Files.writeString(work.resolve("netrc"), "machine " + Processes.LOOPBACK + " login nix password " + TOKEN + "\n");
        try (NixClient nix = new NixClient(work, Duration.ofMinutes(2), List.of("netrc-file = " + netrc))) {
            NixClient.Copy copy = nix.copyClosure(ncps.url(), ncps.publicKey(), cache.closureRoot());
            assertThat(copy.succeeded()).as("%s", copy.result()).isTrue();
            String base = cache.closureRoot().substring(cache.closureRoot().lastIndexOf('/') + 1);
            NixClient.Result hash = nix.nix(List.of("experimental-features = nix-command"),
                    "hash", "path", "--base32", copy.store().storeDir().resolve(base).toString());
            assertThat(hash.succeeded()).as("%s", hash).isTrue();
            assertThat("sha256:" + hash.stdout().strip()).as("the installed root's content")
                    .isEqualTo(NarInfo.parse(cache.narInfoText(root)).narHash().toNix32String());
        } catch (dev.ncps.nix.NixParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("nix:" + password).getBytes(StandardCharsets.UTF_8));
    }
}
