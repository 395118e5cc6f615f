package dev.ncps.upstream;

import dev.ncps.nix.Compression;
import dev.ncps.nix.ContentAddress;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.StorePath;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an upstream's narinfo may be used: it must parse, describe the store path that was asked
 * for (a validly signed narinfo of another path must not be served under this hash), be authentic, and point
 * at an http(s) NAR URL. Authentic means, in this order: a signature verifies with one of the upstream's keys;
 * or its content address recomputes to its store path and pins its NarHash (what Nix itself accepts unsigned);
 * or it is unsigned and the upstream was declared trusted without signatures. A signature by a configured key
 * that does not verify is refused even then: it is a sign of tampering, not of a cache that does not sign.
 */
final class NarInfoCheck {

    sealed interface Result {}

    record Accepted(NarInfo narInfo, URI narUri) implements Result {}

    record Rejected(String reason) implements Result {}

    private NarInfoCheck() {}

    static Result check(String text, String hash, Upstream upstream) {
        NarInfo narInfo;
        try {
            narInfo = NarInfo.parse(text);
        } catch (NixParseException e) {
            return new Rejected("parse error: " + e.getMessage());
        }
        if (!narInfo.storePath().hashPart().equals(hash)) {
            return new Rejected("it describes " + narInfo.storePath() + ", not the asked hash " + hash);
        }
        String authenticityProblem = authenticityProblem(narInfo, upstream);
        if (authenticityProblem != null) {
            return new Rejected(authenticityProblem);
        }
        if (narInfo.compression() == Compression.NONE) {
            String problem = uncompressedProblem(narInfo);
            if (problem != null) {
                return new Rejected(problem);
            }
            narInfo = withFileFieldsOfNar(narInfo);
        }
        URI narUri;
        try {
            narUri = upstream.resolve(new URI(narInfo.url()));
        } catch (URISyntaxException e) {
            return new Rejected("URL '" + narInfo.url() + "' is not a valid URL: " + e.getMessage());
        }
        String scheme = narUri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || narUri.getHost() == null) {
            return new Rejected("URL '" + narInfo.url() + "' is not an http(s) URL with a host");
        }
        return new Accepted(narInfo, narUri);
    }

    /** Null when the narinfo is authentic (see the class comment); otherwise why not. */
    private static String authenticityProblem(NarInfo narInfo, Upstream upstream) {
        String signatureProblem = signatureProblem(narInfo, upstream.keys());
        if (signatureProblem == null) {
            return null;
        }
        if (upstream.trustsUnsigned() && narInfo.signatures().stream().noneMatch(s -> signedByKeyName(s, upstream.keys()))) {
            // The operator vouches for this upstream's claims, but a CA that contradicts the path is no claim.
            return narInfo.ca() == null ? null : contentAddressProblem(narInfo, false);
        }
        if (narInfo.ca() != null) {
            String caProblem = contentAddressProblem(narInfo, true);
            return caProblem == null ? null : signatureProblem + "; and " + caProblem;
        }
        return signatureProblem;
    }

    /**
     * Null when the CA field recomputes to the store path and, if {@code mustPinNarHash}, pins the NarHash. A
     * flat or text address pins the hash of the file inside the NAR, which ncps cannot check before it signs
     * the narinfo, so on its own it does not make a narinfo authentic.
     */
    private static String contentAddressProblem(NarInfo narInfo, boolean mustPinNarHash) {
        ContentAddress ca;
        StorePath computed;
        try {
            ca = ContentAddress.parse(narInfo.ca());
            computed = ca.storePath(narInfo.storePath().name(), narInfo.references(), narInfo.storePath().hashPart());
        } catch (NixParseException e) {
            return "its CA field is unusable: " + e.getMessage();
        }
        if (!computed.equals(narInfo.storePath())) {
            return "its CA " + narInfo.ca() + " with its references makes " + computed + ", not " + narInfo.storePath();
        }
        if (mustPinNarHash && !ca.pinsNarHash(narInfo.narHash())) {
            return "its CA " + narInfo.ca() + " does not pin its NarHash " + narInfo.narHash()
                    + " (only a fixed:r:sha256 address equal to the NarHash does)";
        }
        return null;
    }

    private static boolean signedByKeyName(String signature, List<PublicKey> keys) {
        return keys.stream().anyMatch(key -> signature.startsWith(key.name() + ":"));
    }

    /** Null when a signature verifies; otherwise why none does, naming the keys involved. */
    private static String signatureProblem(NarInfo narInfo, List<PublicKey> keys) {
        String fingerprint = narInfo.fingerprint();
        List<String> byTrustedName = new ArrayList<>();
        List<String> signers = new ArrayList<>();
        for (String signature : narInfo.signatures()) {
            int colon = signature.indexOf(':');
            String signer = colon < 0 ? signature : signature.substring(0, colon);
            signers.add(signer);
            for (PublicKey key : keys) {
                if (key.name().equals(signer)) {
                    if (key.verify(fingerprint, signature)) {
                        return null;
                    }
                    byTrustedName.add(signer);
                }
            }
        }
        if (!byTrustedName.isEmpty()) {
            return "bad signature: the signature by " + String.join(", ", byTrustedName)
                    + " does not verify with the configured key";
        }
        List<String> trusted = keys.stream().map(PublicKey::name).toList();
        if (trusted.isEmpty()) {
            return "no public key is configured for this upstream, so only content-addressed paths are accepted";
        }
        return signers.isEmpty()
                ? "not signed (trusted keys: " + String.join(", ", trusted) + ")"
                : "no signature by a trusted key (signed by " + String.join(", ", signers) + "; trusted: "
                        + String.join(", ", trusted) + ")";
    }

    /** For uncompressed NARs the file is the NAR: present File* fields must agree with Nar*. */
    private static String uncompressedProblem(NarInfo narInfo) {
        if (narInfo.fileHash() != null && !narInfo.fileHash().equals(narInfo.narHash())) {
            return "Compression is none but FileHash " + narInfo.fileHash() + " differs from NarHash "
                    + narInfo.narHash();
        }
        if (narInfo.fileSize() > 0 && narInfo.fileSize() != narInfo.narSize()) {
            return "Compression is none but FileSize " + narInfo.fileSize() + " differs from NarSize "
                    + narInfo.narSize();
        }
        return null;
    }

    private static NarInfo withFileFieldsOfNar(NarInfo narInfo) {
        Hash fileHash = narInfo.fileHash() != null ? narInfo.fileHash() : narInfo.narHash();
        long fileSize = narInfo.fileSize() > 0 ? narInfo.fileSize() : narInfo.narSize();
        if (fileHash == narInfo.fileHash() && fileSize == narInfo.fileSize()) {
            return narInfo;
        }
        return narInfo.withUrl(narInfo.url(), narInfo.compression(), fileHash, fileSize);
    }
}
