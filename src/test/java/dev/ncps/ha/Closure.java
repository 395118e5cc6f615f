package dev.ncps.ha;

import dev.ncps.nix.NixBase32;
import dev.ncps.testing.NixUpstreamCache;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fetches narinfos and NARs from an ncps over HTTP and checks every NAR body against its FileHash. */
final class Closure {
    private static final Pattern URL = Pattern.compile("(?m)^URL: (\\S+)$");
    private static final Pattern FILE_HASH = Pattern.compile("(?m)^FileHash: sha256:(\\S+)$");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A NAR a narinfo points to: its path on the cache and the nix-base32 sha256 its body must have. */
    record NarRef(String path, String fileHash) {}

    /** GET {base}/{hash}.narinfo; fails unless 200. */
    NarRef narInfo(URI base, String hash) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/" + hash + ".narinfo"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + hash + ".narinfo from " + base + ": " + response.statusCode() + " " + response.body());
        }
        return new NarRef("/" + field(URL, response.body(), hash), field(FILE_HASH, response.body(), hash));
    }

    /** GET the NAR and return the nix-base32 sha256 of its body; fails unless 200. */
    String narSha256(URI base, NarRef nar) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(base.resolve(nar.path()))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("GET " + nar.path() + " from " + base + ": " + response.statusCode() + " "
                        + new String(body.readAllBytes()));
            }
            return sha256(body);
        }
    }

    /** Fetches every narinfo and NAR of the cache's closure from {@code base}, verifying each NAR. */
    void fetchAll(URI base, NixUpstreamCache upstream) throws IOException, InterruptedException {
        for (String storePath : upstream.storePaths()) {
            NarRef nar = narInfo(base, NixUpstreamCache.hashOf(storePath));
            String actual = narSha256(base, nar);
            if (!actual.equals(nar.fileHash())) {
                throw new IOException(nar.path() + " from " + base + " has sha256 " + actual + ", FileHash says " + nar.fileHash());
            }
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return NixBase32.encode(digest.digest());
    }

    static String sha256(byte[] bytes) {
        return NixBase32.encode(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String field(Pattern pattern, String narInfo, String hash) throws IOException {
        Matcher m = pattern.matcher(narInfo);
        if (!m.find()) {
            throw new IOException("narinfo " + hash + " lacks " + pattern + ":\n" + narInfo);
        }
        return m.group(1);
    }
}
