package dev.ncps.nix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A narinfo's {@code CA} field: how the store path was derived from the content, so that the path itself
 * authenticates the narinfo without a signature. The three forms Nix writes:
 * <ul>
 *   <li>{@code fixed:r:<algo>:<hash>}: the hash of the NAR ({@code nix-store --add}, recursive fixed outputs);
 *   <li>{@code fixed:<algo>:<hash>}: the hash of the single flat file ({@code nix-store --add-fixed}, fetchurl);
 *   <li>{@code text:sha256:<hash>}: the hash of a text file that may refer to other paths ({@code builtins.toFile}).
 * </ul>
 * The store path computation follows the store-path section of the Nix manual.
 */
public record ContentAddress(Method method, Hash hash) {

    /** What the hash covers. */
    public enum Method { TEXT, FLAT, RECURSIVE }

    public ContentAddress {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(hash, "hash");
        if (method == Method.TEXT && hash.algorithm() != HashAlgorithm.SHA256) {
            throw new IllegalArgumentException("text content addresses are sha256, not " + hash.algorithm().nixName());
        }
    }

    public static ContentAddress parse(String text) throws NixParseException {
        if (text.startsWith("text:")) {
            Hash hash = Hash.parse(text.substring("text:".length()));
            if (hash.algorithm() != HashAlgorithm.SHA256) {
                throw new NixParseException("CA \"" + Text.excerpt(text) + "\": text content addresses are sha256");
            }
            return new ContentAddress(Method.TEXT, hash);
        }
        if (text.startsWith("fixed:r:")) {
            return new ContentAddress(Method.RECURSIVE, Hash.parse(text.substring("fixed:r:".length())));
        }
        if (text.startsWith("fixed:")) {
            return new ContentAddress(Method.FLAT, Hash.parse(text.substring("fixed:".length())));
        }
        throw new NixParseException("CA \"" + Text.excerpt(text)
                + "\" is not a content address (expected text:sha256:..., fixed:r:<algo>:... or fixed:<algo>:...)");
    }

    /**
     * Whether the NAR hash follows from this address: only a recursive sha256 address is the NAR hash itself.
     * For the others the path pins the hash of a file inside the NAR, not the NAR's.
     */
    public boolean pinsNarHash(Hash narHash) {
        return method == Method.RECURSIVE && hash.equals(narHash);
    }

    /**
     * The store path Nix derives from this address, the path's name and its references (base names, as in
     * a narinfo; the path's own hash part among them is a self-reference).
     *
     * @throws NixParseException when Nix could not have made such a path: a text file that refers to itself,
     *                           or a fixed output other than recursive sha256 with references
     */
    public StorePath storePath(String name, List<String> references, String selfHashPart) throws NixParseException {
        List<String> others = new ArrayList<>();
        boolean self = false;
        for (String reference : references) {
            if (reference.startsWith(selfHashPart + "-")) {
                self = true;
            } else {
                others.add(StorePath.STORE_DIR + "/" + reference);
            }
        }
        others.sort(null);
        StringBuilder type;
        byte[] inner;
        if (method == Method.TEXT) {
            if (self) {
                throw new NixParseException("a text content-addressed path cannot refer to itself");
            }
            type = new StringBuilder("text");
            inner = hash.digest();
        } else if (method == Method.RECURSIVE && hash.algorithm() == HashAlgorithm.SHA256) {
            type = new StringBuilder("source");
            inner = hash.digest();
        } else {
            if (self || !others.isEmpty()) {
                throw new NixParseException("a fixed-output path hashed with " + this + " cannot have references");
            }
            String fixed = "fixed:out:" + (method == Method.RECURSIVE ? "r:" : "") + hash.algorithm().nixName() + ":"
                    + hash.base16Digest() + ":";
            return makeStorePath("output:out", sha256(fixed), name);
        }
        for (String reference : others) {
            type.append(':').append(reference);
        }
        if (self) {
            type.append(":self");
        }
        return makeStorePath(type.toString(), inner, name);
    }

    private static StorePath makeStorePath(String type, byte[] sha256, String name) {
        String fingerprint = type + ":sha256:" + Hash.of(HashAlgorithm.SHA256, sha256).base16Digest() + ":"
                + StorePath.STORE_DIR + ":" + name;
        byte[] full = sha256(fingerprint);
        // Nix folds the sha256 to 160 bits by XOR-ing byte i into byte i mod 20.
        byte[] folded = new byte[20];
        for (int i = 0; i < full.length; i++) {
            folded[i % folded.length] ^= full[i];
        }
        return new StorePath(NixBase32.encode(folded), name);
    }

    private static byte[] sha256(String text) {
        return HashAlgorithm.SHA256.newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return switch (method) {
            case TEXT -> "text:" + hash.toNix32String();
            case FLAT -> "fixed:" + hash.toNix32String();
            case RECURSIVE -> "fixed:r:" + hash.toNix32String();
        };
    }
}
