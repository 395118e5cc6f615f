package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.nix.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NarCheck;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.StorePath;
import dev.ncps.nix.Streams;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code nix copy --to http://ncps/upload}: Nix uploads each NAR first, then its narinfo.
 * <ul>
 *   <li>A NAR is named by the sha256 of its bytes (its FileHash), so it is checked against its name as it
 *       streams and can never take the place of other bytes; it is bounded by {@code maxNarSize}.</li>
 *   <li>A narinfo is accepted only when the NAR it names is already stored and matches it (FileHash/FileSize
 *       of the bytes, NarHash/NarSize of their decompressed archive), so an upload can never publish a path
 *       whose bytes are wrong; only, unless the operator opted out, when a trusted key signed it, since ncps
 *       adds its own signature; and never in place of a narinfo already held, unless overwriting is allowed.</li>
 *   <li>A refused or broken upload leaves nothing behind: no temp file, object or index row.</li>
 * </ul>
 * Who may upload at all is decided before: the HTTP layer checks the upload token.
 */
public final class Uploads {
    private static final Logger log = LoggerFactory.getLogger(Uploads.class);

    private final Store store;
    private final Index index;
    private final Signer signer;
    private final Clock clock;
    private final Path tempDir;
    private final boolean requireTrustedSignature;
    private final List<PublicKey> trustedKeys;
    private final boolean allowOverwrite;
    private final long maxNarSize;
    private final Cache cache;

    /** Trusts {@code settings.trustedKeys()} and the signer's own key (it signed that content before). */
    public Uploads(Cache cache, Store store, Index index, Signer signer, Clock clock, Path tempDir, UploadSettings settings) {
        this.cache = cache;
        this.store = store;
        this.index = index;
        this.signer = signer;
        this.clock = clock;
        this.tempDir = tempDir;
        this.requireTrustedSignature = settings.requireTrustedSignature();
        this.trustedKeys = Stream.concat(settings.trustedKeys().stream(), Stream.of(signer.publicKey())).toList();
        this.allowOverwrite = settings.allowOverwrite();
        this.maxNarSize = settings.maxNarSize();
    }

    public long maxNarSize() {
        return maxNarSize;
    }

    /** The reason of a 413 for a NAR upload. */
    public String tooLarge() {
        return "a NAR upload is at most " + maxNarSize + " bytes (cache.max-upload-size)";
    }

    /** What an upload or a delete came to, as {@link Cache}'s results: the HTTP layer answers each as it is. */
    public sealed interface Outcome {}

    /** Stored, or deleted. */
    public record Done() implements Outcome {}

    /** A delete of something not held. */
    public record Absent() implements Outcome {}

    /** Refused, or not possible now (503 when the database is unavailable): the status and a one-line reason. */
    public record Rejected(int status, String reason) implements Outcome {}

    /** Ends an upload early with its {@link Rejected} answer. */
    private static final class Refusal extends Exception {
        private final int status;

        Refusal(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }

        Rejected answer() {
            return new Rejected(status, getMessage());
        }
    }

    /**
     * Stores an uploaded NAR once its bytes proved to be what its name says. Storing the same NAR twice is not
     * an error. Reads {@code body} to its end, or only up to the size limit; the caller owns it.
     */
    public Outcome putNar(NarFileKey key, InputStream body) throws IOException {
        return outcome("NAR " + key.url(), () -> storeNar(key, body));
    }

    private interface Step {
        void run() throws Refusal, IOException, IndexException;
    }

    /** Done, or the refusal's answer, or 503 when the database failed. */
    private static Outcome outcome(String what, Step step) throws IOException {
        try {
            step.run();
            return new Done();
        } catch (Refusal refusal) {
            return refusal.answer();
        } catch (IndexException e) {
            return databaseUnavailable(what, e);
        }
    }

    private static Rejected databaseUnavailable(String what, IndexException e) {
        log.error("upload of {}: {}", what, e.getMessage());
        return new Rejected(503, "database unavailable");
    }

    private void storeNar(NarFileKey key, InputStream body) throws Refusal, IOException, IndexException {
        Path temp = Files.createTempFile(tempDir, "upload-", ".nar" + key.compression().extension());
        try {
            Hash actual = copyBounded(body, temp);
            String digest = key.narHash().length() == 64 ? actual.base16Digest() : actual.nix32Digest();
            if (!digest.equals(key.narHash())) {
                throw new Refusal(400, "the NAR's sha256 is " + actual.nix32Digest()
                        + ", which does not match the name it is uploaded under");
            }
            store.put(key.storeKey(), temp);
            index.putNarFile(new NarFileEntry(key, Files.size(temp), clock.instant()));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Copies {@code body} to {@code temp}, hashing it, and gives up as soon as it passes the size limit. */
    private Hash copyBounded(InputStream body, Path temp) throws Refusal, IOException {
        MessageDigest digest = HashAlgorithm.SHA256.newDigest();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
            if (Streams.copyAtMost(body, out, maxNarSize) < 0) {
                throw new Refusal(413, tooLarge());
            }
        }
        return Hash.of(HashAlgorithm.SHA256, digest.digest());
    }

    public Outcome putNarInfo(String hash, String text) throws IOException {
        return outcome("narinfo " + hash, () -> storeNarInfo(hash, text));
    }

    private void storeNarInfo(String hash, String text) throws Refusal, IOException, IndexException {
        NarInfo narInfo;
        try {
            narInfo = NarInfo.parse(text);
        } catch (NixParseException e) {
            throw new Refusal(400, "invalid narinfo: " + e.getMessage());
        }
        if (!narInfo.storePath().hashPart().equals(hash)) {
            throw new Refusal(400, "narinfo " + hash + " describes " + narInfo.storePath());
        }
        NarFileKey narKey;
        try {
            narKey = NarFileKey.parseUrl(narInfo.url());
        } catch (NixParseException e) {
            throw new Refusal(400, "URL " + e.getMessage());
        }
        if (requireTrustedSignature && !PublicKey.verifiesAny(narInfo, trustedKeys)) {
            throw new Refusal(403, "no valid signature of a trusted key (cache.trusted-upload-keys, an upstream's "
                    + "or ncps's own); see cache.require-trusted-signature");
        }
        if (!mayStore(hash, narInfo)) {
            return;
        }
        verifyStoredNar(narKey, narInfo);
        NarInfoEntry entry = new NarInfoEntry(hash, signer.sign(narInfo), null, clock.instant());
        if (allowOverwrite) {
            index.putNarInfo(entry);
        } else if (!index.putNarInfoIfAbsent(entry) && mayStore(hash, narInfo)) {
            throw new Refusal(409, "narinfo " + hash + " changed while it was uploaded; try again");
        }
        cache.forget(hash);
    }

    /**
     * Whether the upload of {@code narInfo} should be stored: nothing is held for it, or overwriting is allowed.
     * A held narinfo of the same content (what the signature covers) makes the upload a no-op.
     */
    private boolean mayStore(String hash, NarInfo narInfo) throws Refusal, IndexException {
        if (allowOverwrite) {
            return true;
        }
        Optional<NarInfoEntry> held = index.narInfo(hash);
        if (held.isEmpty()) {
            return true;
        }
        if (held.get().narInfo().fingerprint().equals(narInfo.fingerprint())) {
            return false;
        }
        throw new Refusal(409, "narinfo " + hash + " is already cached with other content; replacing it needs "
                + "cache.allow-upload-overwrite");
    }

    private void verifyStoredNar(NarFileKey key, NarInfo narInfo) throws Refusal, IOException {
        Optional<Store.Blob> blob = store.get(key.storeKey());
        if (blob.isEmpty()) {
            throw new Refusal(400, "NAR " + narInfo.url() + " has not been uploaded; upload it before its narinfo");
        }
        if (key.compression() != narInfo.compression()) {
            throw new Refusal(400, "URL extension does not match Compression: " + narInfo.compression().nixName());
        }
        if (!key.compression().isSupported()) {
            throw new Refusal(400, "unsupported compression: " + key.compression().nixName());
        }
        try (InputStream raw = blob.get().open(0)) {
            NarCheck.of(narInfo).verify(raw);
        } catch (NixParseException e) {
            throw new Refusal(400, "NAR " + narInfo.url() + " does not match its narinfo: " + e.getMessage());
        }
    }

    /**
     * Stores an uploaded build trace entry ({@code .doi} body) signed by ncps. Under the narinfo rules: a trusted
     * signature unless the operator opted out, and another output path in place of a held one only when
     * overwriting is allowed (the same one again changes nothing).
     */
    public Outcome putBuildTrace(StorePath drvPath, String outputName, String json) throws IOException {
        return outcome("build trace " + drvPath.baseName() + "/" + outputName, () -> storeBuildTrace(drvPath, outputName, json));
    }

    private void storeBuildTrace(StorePath drvPath, String outputName, String json) throws Refusal, IndexException {
        BuildTrace trace;
        try {
            trace = BuildTrace.parse(drvPath, outputName, json);
        } catch (NixParseException e) {
            throw new Refusal(400, "invalid build trace entry: " + e.getMessage());
        }
        String fingerprint = trace.fingerprint();
        if (requireTrustedSignature && trace.signatures().stream()
                .noneMatch(signature -> trustedKeys.stream().anyMatch(key -> key.verify(fingerprint, signature)))) {
            throw new Refusal(403, "no valid signature of a trusted key (cache.trusted-upload-keys, an upstream's "
                    + "or ncps's own); see cache.require-trusted-signature");
        }
        if (!allowOverwrite) {
            Optional<BuildTrace> held = index.buildTrace(drvPath, outputName);
            if (held.isPresent() && held.get().outPath().equals(trace.outPath())) {
                return;
            }
            if (held.isPresent()) {
                throw new Refusal(409, "build trace " + drvPath.baseName() + "/" + outputName + " is already cached with "
                        + "output " + held.get().outPath().baseName() + "; replacing it needs cache.allow-upload-overwrite");
            }
        }
        index.putBuildTrace(signer.sign(trace));
    }

    public Outcome deleteNarInfo(String hash) {
        boolean deleted;
        try {
            deleted = index.deleteNarInfo(hash);
        } catch (IndexException e) {
            return databaseUnavailable("delete of narinfo " + hash, e);
        }
        cache.forget(hash);
        return deleted ? new Done() : new Absent();
    }

    /** Index row first, then the bytes (docs/design/architecture.md, invariant 3). */
    public Outcome deleteNar(NarFileKey key) throws IOException {
        boolean row;
        try {
            row = index.deleteNarFile(key.narHash(), key.compression());
        } catch (IndexException e) {
            return databaseUnavailable("delete of NAR " + key.url(), e);
        }
        boolean bytes = store.delete(key.storeKey());
        return row || bytes ? new Done() : new Absent();
    }
}
