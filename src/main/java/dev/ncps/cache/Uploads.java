package dev.ncps.cache;

import dev.ncps.index.Index;
import dev.ncps.index.Index.NarFileEntry;
import dev.ncps.index.Index.NarFileKey;
import dev.ncps.index.Index.NarInfoEntry;
import dev.ncps.index.IndexException;
import dev.ncps.nix.Compression;
import dev.ncps.nix.NarInfo;
import dev.ncps.nix.NarCheck;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.PublicKey;
import dev.ncps.store.Store;
import dev.ncps.store.StoreKeys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code nix copy --to http://ncps/upload}: Nix uploads each NAR first, then its narinfo. A narinfo is
 * accepted only when the NAR it names is already stored and matches it (FileHash/FileSize of the bytes,
 * NarHash/NarSize of their decompressed archive), so an upload can never publish a path whose bytes
 * are wrong.
 */
public final class Uploads {
    private static final Pattern NAR_URL = Pattern.compile("nar/([0-9a-z]+)\\.nar(\\.[a-z0-9]+)?");

    private final Store store;
    private final Index index;
    private final Signer signer;
    private final Clock clock;
    private final Path tempDir;
    private final boolean requireTrustedSignature;
    private final List<PublicKey> trustedKeys;
    private final Cache cache;

    public Uploads(Cache cache, Store store, Index index, Signer signer, Clock clock, Path tempDir,
                   boolean requireTrustedSignature, List<PublicKey> trustedKeys) {
        this.cache = cache;
        this.store = store;
        this.index = index;
        this.signer = signer;
        this.clock = clock;
        this.tempDir = tempDir;
        this.requireTrustedSignature = requireTrustedSignature;
        this.trustedKeys = List.copyOf(trustedKeys);
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

    /** Stores an uploaded NAR. Storing the same NAR twice is not an error. */
    public void putNar(NarFileKey key, InputStream body) throws IOException, IndexException {
        Path temp = Files.createTempFile(tempDir, "upload-", ".nar" + key.compression().extension());
        try {
            try (InputStream in = body) {
                Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            store.put(StoreKeys.nar(key.narHash(), key.compression()), temp);
            index.putNarFile(new NarFileEntry(key, Files.size(temp), clock.instant()));
        } finally {
            Files.deleteIfExists(temp);
        }
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
        if (requireTrustedSignature && !PublicKey.verifiesAny(narInfo, trustedKeys)) {
            throw new Rejected(403, "no signature of a trusted upload key");
        }
        NarFileKey narKey = narKeyOf(narInfo.url());
        verifyStoredNar(narKey, narInfo);
        NarInfo signed = signer.sign(narInfo);
        index.putNarInfo(new NarInfoEntry(hash, signed, null, clock.instant()));
        cache.forget(hash);
    }

    static NarFileKey narKeyOf(String url) throws Rejected {
        Matcher m = NAR_URL.matcher(url);
        if (!m.matches()) {
            throw new Rejected(400, "URL '" + url + "' is not of the form nar/<hash>.nar[.<ext>]");
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

    public boolean deleteNarInfo(String hash) throws IndexException {
        boolean deleted = index.deleteNarInfo(hash);
        cache.forget(hash);
        return deleted;
    }

    /** Index row first, then the bytes (DESIGN.md §4.3). */
    public boolean deleteNar(NarFileKey key) throws IndexException, IOException {
        boolean row = index.deleteNarFile(key.narHash(), key.compression());
        boolean bytes = store.delete(StoreKeys.nar(key.narHash(), key.compression()));
        return row || bytes;
    }
}
