package dev.ncps.nix;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The real narinfos from cache.nixos.org and nix-community.cachix.org under src/test/resources/fixtures/narinfo. */
final class Fixtures {
    static final List<String> NARINFOS = List.of(
            "1gxz5nfzfnhyxjdyzi04r86sh61y4i00", "1q8w6gl1ll0mwfkqc3c2yx005s6wwfrl", "3acqrvb06vw0w3s9fa3wci433snbi2bg",
            "6lwdzpbig6zz8678blcqr5f5q1caxjw2", "c12lxpykv6sld7a0sakcnr3y0la70x8w", "jiwdym6f9w6v5jcbqf5wn7fmg11v5q0j",
            "n5glp21rsz314qssw9fbvfswgy3kc68f", "swxfvpa96x0qc9v2g7jvil2301dflvhg", "yj1wxm9hh8610iyzqnz75kvs6xl8j3my");

    private Fixtures() {}

    static String narinfo(String hashPart) {
        return resource("fixtures/narinfo/" + hashPart + ".narinfo");
    }

    static List<PublicKey> publicKeys() {
        return resource("fixtures/narinfo/public-keys.txt").lines().filter(line -> !line.isBlank()).map(line -> {
            try {
                return PublicKey.parse(line);
            } catch (NixParseException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    static String resource(String name) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
