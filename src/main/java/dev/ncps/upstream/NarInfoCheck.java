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
 * or it is unsigned and the upstream was declared trusted without signatures (a signature by a configured key
 * that does not verify is refused even then: it is a sign of tampering, not of a cache that does not sign); or
 * its content address recomputes to its store path, as Nix itself accepts unsigned. ncps vouches (signs) for
 * all of these except a content address that does not pin the NarHash (flat and text): that narinfo is served
 * without ncps's signature, and the Nix client checks the file against the address when it imports it.
 */
final class NarInfoCheck {

    sealed interface Result {}

    /** {@code vouched}: ncps may sign it; otherwise it is served as it came and clients check it themselves. */
    record Accepted(NarInfo narInfo, URI narUri, boolean vouched) implements Result {}

    /** Why a narinfo was refused; {@link #label()} is the {@code reason} label of the rejection metric. */
    enum Problem {
        PARSE, STORE_PATH, SIGNATURE, HASH, URL;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Rejected(Problem problem, String reason) implements Result {}

    private NarInfoCheck() {}

    static Result check(String text, String hash, Upstream upstream) {
        NarInfo narInfo;
        try {
            narInfo = NarInfo.parse(text);
        } catch (NixParseException e) {
            return new Rejected(Problem.PARSE, "parse error: " + e.getMessage());
        }
        if (!narInfo.storePath().hashPart().equals(hash)) {
            return new Rejected(Problem.STORE_PATH, "it describes " + narInfo.storePath() + ", not the asked hash " + hash);
        }
        Authenticity authenticity = authenticity(narInfo, upstream);
        if (authenticity.problem() != null) {
            return new Rejected(Problem.SIGNATURE, authenticity.problem());
        }
        if (narInfo.compression() == Compression.NONE) {
            String problem = uncompressedProblem(narInfo);
            if (problem != null) {
                return new Rejected(Problem.HASH, problem);
            }
            narInfo = withFileFieldsOfNar(narInfo);
        }
        URI narUri;
        try {
            narUri = upstream.resolve(new URI(narInfo.url()));
        } catch (URISyntaxException e) {
            return new Rejected(Problem.URL, "URL '" + narInfo.url() + "' is not a valid URL: " + e.getMessage());
        }
        String scheme = narUri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || narUri.getHost() == null) {
            return new Rejected(Problem.URL, "URL '" + narInfo.url() + "' is not an http(s) URL with a host");
        }
        return new Accepted(narInfo, narUri, authenticity.vouched());
    }

    /** Whether a narinfo is authentic and, if so, whether ncps may vouch for it with its signature. */
    private record Authenticity(boolean vouched, String problem) {
        static final Authenticity VOUCHED = new Authenticity(true, null);
        /** Its store path authenticates it, but not its NAR: clients check the content themselves. */
        static final Authenticity SELF_AUTHENTICATING = new Authenticity(false, null);

        static Authenticity refused(String problem) {
            return new Authenticity(false, problem);
        }
    }

    private static Authenticity authenticity(NarInfo narInfo, Upstream upstream) {
        String signatureProblem = signatureProblem(narInfo, upstream.keys());
        if (signatureProblem == null) {
            return Authenticity.VOUCHED;
        }
        String pathProblem = narInfo.ca() == null ? null : contentAddressProblem(narInfo);
        if (upstream.trustsUnsigned() && narInfo.signatures().stream().noneMatch(s -> signedByKeyName(s, upstream.keys()))) {
            // The operator vouches for this upstream's claims, but a CA that contradicts the path is no claim.
            return pathProblem == null ? Authenticity.VOUCHED : Authenticity.refused(pathProblem);
        }
        if (narInfo.ca() == null) {
            return Authenticity.refused(signatureProblem);
        }
        if (pathProblem != null) {
            return Authenticity.refused(signatureProblem + "; and " + pathProblem);
        }
        return pinsNarHash(narInfo) ? Authenticity.VOUCHED : Authenticity.SELF_AUTHENTICATING;
    }

    /** Null when the CA field, with the name and references, recomputes to the store path; otherwise why not. */
    private static String contentAddressProblem(NarInfo narInfo) {
        StorePath computed;
        try {
            computed = ContentAddress.parse(narInfo.ca())
                    .storePath(narInfo.storePath().name(), narInfo.references(), narInfo.storePath().hashPart());
        } catch (NixParseException e) {
            return "its CA field is unusable: " + e.getMessage();
        }
        return computed.equals(narInfo.storePath()) ? null
                : "its CA " + narInfo.ca() + " with its references makes " + computed + ", not " + narInfo.storePath();
    }

    /**
     * Whether the (recomputed) content address also pins the NarHash, so that the NAR check ties the bytes to the
     * path. A flat or text address pins the hash of the file inside the NAR, which ncps does not check.
     */
    private static boolean pinsNarHash(NarInfo narInfo) {
        try {
            return ContentAddress.parse(narInfo.ca()).pinsNarHash(narInfo.narHash());
        } catch (NixParseException e) {
            return false;
        }
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
