package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.Index.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.BuildTrace;
import dev.ncps.nix.Compression;
import dev.ncps.nix.Hash;
import dev.ncps.nix.HashAlgorithm;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NarCheck;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import dev.ncps.nix.StorePath;
import dev.ncps.store.Store;
import dev.ncps.store.StoreKeys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern NAR_URL = Pattern.compile("nar/(" + NarFileKey.NAME + ")\\.nar(\\.[a-z0-9]+)?");
    private static final int COPY_BUFFER = 64 * 1024;

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

    /**
     * @param trustedKeys keys whose signature makes an uploaded narinfo trusted (upload keys, upstream keys, our own)
     * @param allowOverwrite whether an upload may replace a narinfo already held
     * @param maxNarSize the largest NAR file an upload may send
     */
    public Uploads(Cache cache, Store store, Index index, Signer signer, Clock clock, Path tempDir,
                   boolean requireTrustedSignature, List<PublicKey> trustedKeys, boolean allowOverwrite, long maxNarSize) {
        this.cache = cache;
        this.store = store;
        this.index = index;
        this.signer = signer;
        this.clock = clock;
        this.tempDir = tempDir;
        this.requireTrustedSignature = requireTrustedSignature;
        this.trustedKeys = List.copyOf(trustedKeys);
        this.allowOverwrite = allowOverwrite;
        this.maxNarSize = maxNarSize;
    }

    public long maxNarSize() {
        return maxNarSize;
    }

    /** The reason of a 413 for a NAR upload. */
    public String tooLarge() {
        return "a NAR upload is at most " + maxNarSize + " bytes (cache.max-upload-size)";
    }

    /** A refused upload: the HTTP status to answer and a one-line reason. */
    public static final class Rejected extends Exception {
        private final int status;

        Rejected(int status, String reason) {
            super(reason);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Stores an uploaded NAR once its bytes proved to be what its name says. Storing the same NAR twice is not
     * an error. Reads {@code body} to its end, or only up to the size limit; the caller owns it.
     */
    public void putNar(NarFileKey key, InputStream body) throws Rejected, IOException, IndexException {
        Path temp = Files.createTempFile(tempDir, "upload-", ".nar" + key.compression().extension());
        try {
            Hash actual = copyBounded(body, temp);
            String digest = key.narHash().length() == 64 ? actual.base16Digest() : actual.nix32Digest();
            if (!digest.equals(key.narHash())) {
                throw new Rejected(400, "the NAR's sha256 is " + actual.nix32Digest()
                        + ", which does not match the name it is uploaded under");
            }
            store.put(StoreKeys.nar(key.narHash(), key.compression()), temp);
            index.putNarFile(new NarFileEntry(key, Files.size(temp), clock.instant()));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Copies {@code body} to {@code temp}, hashing it, and gives up as soon as it passes the size limit. */
    private Hash copyBounded(InputStream body, Path temp) throws Rejected, IOException {
        MessageDigest digest = HashAlgorithm.SHA256.newDigest();
        byte[] buffer = new byte[COPY_BUFFER];
        long total = 0;
        try (java.io.OutputStream out = Files.newOutputStream(temp)) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                total += n;
                if (total > maxNarSize) {
                    throw new Rejected(413, tooLarge());
                }
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return Hash.of(HashAlgorithm.SHA256, digest.digest());
    }

    public void putNarInfo(String hash, String text) throws Rejected, IOException, IndexException {
        NarInfo narInfo;
        try {
            narInfo = NarInfo.parse(text);
        } catch (NixParseException e) {
            throw new Rejected(400, "invalid narinfo: " + e.getMessage());
        }
        if (!narInfo.storePath().hashPart().equals(hash)) {
            throw new Rejected(400, "narinfo " + hash + " describes " + narInfo.storePath());
        }
        NarFileKey narKey = narKeyOf(narInfo.url());
        if (requireTrustedSignature && !PublicKey.verifiesAny(narInfo, trustedKeys)) {
            throw new Rejected(403, "no valid signature of a trusted key (cache.trusted-upload-keys, an upstream's "
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
            throw new Rejected(409, "narinfo " + hash + " changed while it was uploaded; try again");
        }
        cache.forget(hash);
    }

    /**
     * Whether the upload of {@code narInfo} should be stored: nothing is held for it, or overwriting is allowed.
     * A held narinfo of the same content (what the signature covers) makes the upload a no-op.
     */
    private boolean mayStore(String hash, NarInfo narInfo) throws Rejected, IndexException {
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
        throw new Rejected(409, "narinfo " + hash + " is already cached with other content; replacing it needs "
                + "cache.allow-upload-overwrite");
    }

    static NarFileKey narKeyOf(String url) throws Rejected {
        Matcher m = NAR_URL.matcher(url);
        if (!m.matches()) {
            throw new Rejected(400, "URL '" + url + "' is not of the form nar/<sha256 as 52 nix32 or 64 hex characters>.nar[.<ext>]");
        }
        try {
            return new NarFileKey(m.group(1), Compression.fromExtension(m.group(2) == null ? "" : m.group(2)));
        } catch (NixParseException e) {
            throw new Rejected(400, "URL '" + url + "': " + e.getMessage());
        }
    }

    private void verifyStoredNar(NarFileKey key, NarInfo narInfo) throws Rejected, IOException {
        Optional<Store.Blob> blob = store.get(StoreKeys.nar(key.narHash(), key.compression()));
        if (blob.isEmpty()) {
            throw new Rejected(400, "NAR " + narInfo.url() + " has not been uploaded; upload it before its narinfo");
        }
        if (key.compression() != narInfo.compression()) {
            throw new Rejected(400, "URL extension does not match Compression: " + narInfo.compression().nixName());
        }
        if (!key.compression().isSupported()) {
            throw new Rejected(400, "unsupported compression: " + key.compression().nixName());
        }
        try (InputStream raw = blob.get().open(0)) {
            NarCheck.of(narInfo).verify(raw);
        } catch (NixParseException e) {
            throw new Rejected(400, "NAR " + narInfo.url() + " does not match its narinfo: " + e.getMessage());
        }
    }

    /**
     * Stores an uploaded build trace entry ({@code .doi} body) signed by ncps. Under the narinfo rules: a trusted
     * signature unless the operator opted out, and another output path in place of a held one only when
     * overwriting is allowed (the same one again changes nothing).
     */
    public void putBuildTrace(StorePath drvPath, String outputName, String json) throws Rejected, IndexException {
        BuildTrace trace;
        try {
            trace = BuildTrace.parse(drvPath, outputName, json);
        } catch (NixParseException e) {
            throw new Rejected(400, "invalid build trace entry: " + e.getMessage());
        }
        String fingerprint = trace.fingerprint();
        if (requireTrustedSignature && trace.signatures().stream()
                .noneMatch(signature -> trustedKeys.stream().anyMatch(key -> key.verify(fingerprint, signature)))) {
            throw new Rejected(403, "no valid signature of a trusted key (cache.trusted-upload-keys, an upstream's "
                    + "or ncps's own); see cache.require-trusted-signature");
        }
        if (!allowOverwrite) {
            Optional<BuildTrace> held = index.buildTrace(drvPath, outputName);
            if (held.isPresent() && held.get().outPath().equals(trace.outPath())) {
                return;
            }
            if (held.isPresent()) {
                throw new Rejected(409, "build trace " + drvPath.baseName() + "/" + outputName + " is already cached with "
                        + "output " + held.get().outPath().baseName() + "; replacing it needs cache.allow-upload-overwrite");
            }
        }
        index.putBuildTrace(signer.sign(trace));
    }

    public boolean deleteNarInfo(String hash) throws IndexException {
        boolean deleted = index.deleteNarInfo(hash);
        cache.forget(hash);
        return deleted;
    }

    /** Index row first, then the bytes (docs/design/architecture.md, invariant 3). */
    public boolean deleteNar(NarFileKey key) throws IndexException, IOException {
        boolean row = index.deleteNarFile(key.narHash(), key.compression());
        boolean bytes = store.delete(StoreKeys.nar(key.narHash(), key.compression()));
        return row || bytes;
    }
}
