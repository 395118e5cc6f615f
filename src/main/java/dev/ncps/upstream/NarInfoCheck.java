package dev.ncps.upstream;

import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether an upstream's narinfo may be used: it must parse, describe the store path that was asked
 * for (a validly signed narinfo of another path must not be served under this hash), carry a signature that
 * verifies with one of the upstream's keys, and point at an http(s) NAR URL.
 */
final class NarInfoCheck {

    sealed interface Result {}

    record Accepted(NarInfo narInfo, URI narUri) implements Result {}

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
        String signatureProblem = signatureProblem(narInfo, upstream.keys());
        if (signatureProblem != null) {
            return new Rejected(Problem.SIGNATURE, signatureProblem);
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
        return new Accepted(narInfo, narUri);
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
