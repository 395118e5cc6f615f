package dev.ncps.app;

import dev.ncps.cli.StartupFailure;
import dev.ncps.index.Index;
import dev.ncps.index.IndexException;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the signing key comes from: the {@code --cache-secret-key-path} file if given (and then also
 * stored in the database, so instances of a cluster agree), else the key in the database, else a new
 * key named after the hostname, stored in the database. Creating it with put-if-absent makes instances
 * that start together agree on one key.
 *
 * <p>A key held only in the database is lost with it, and the next start would sign with a new one that
 * no client trusts. That is said loudly: a warning when a key is generated, an error when it is generated
 * while storage already holds NARs (the database was lost or replaced under existing data). ncps still
 * starts then: a changed key fails closed (clients refuse what they cannot verify and fall back to other
 * substituters or building), while refusing to start would turn a degraded cache into an outage. The key
 * is deliberately not written beside the data: the storage folder is synced to buckets that are often
 * public, and a signing key must never travel with it.
 */
final class SigningKeys {
    static final String CONFIG_KEY = "secret_key";
    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final String KEEP_IT = "keep it in a file readable only by ncps (a Kubernetes secret, a 0600 file)"
            + " and set --cache-secret-key-path (cache.secret-key-path); see docs/deployment/signing-key.md";

    /** Where the key in effect came from. */
    enum Origin { FILE, DATABASE, GENERATED, GENERATED_OVER_STORED_OBJECTS }

    record Loaded(SecretKey key, Origin origin) {}

    private SigningKeys() {}

    /** A key file; errors name the option ({@code key}) that gave the file. */
    static SecretKey read(Path file, String key) throws IOException {
        try {
            return SecretKey.parse(Files.readString(file).trim());
        } catch (NixParseException e) {
            throw new IOException(key + ": " + file + " does not hold a Nix secret key: " + e.getMessage(), e);
        }
    }

    static Loaded load(Optional<Path> file, String hostname, Index index, Store store)
            throws IOException, IndexException, StartupFailure {
        if (file.isPresent()) {
            String text;
            SecretKey key;
            try {
                text = Files.readString(file.get()).trim();
            } catch (IOException e) {
                throw StartupErrors.secretKeyUnreadable(file.get(), e);
            }
            try {
                key = SecretKey.parse(text);
            } catch (NixParseException e) {
                throw StartupErrors.secretKeyInvalid(file.get(), e);
            }
            if (!index.config(CONFIG_KEY).map(text::equals).orElse(false)) {
                index.configPut(CONFIG_KEY, text);
            }
            return new Loaded(key, Origin.FILE);
        }
        Optional<String> stored = index.config(CONFIG_KEY);
        if (stored.isPresent()) {
            SecretKey key = parseStored(stored.get());
            log.info("signing with key {} from the database; it is lost with the database unless you {}", key.name(), KEEP_IT);
            return new Loaded(key, Origin.DATABASE);
        }
        String generated = SecretKey.generate(hostname).toNixString();
        String inEffect = index.configPutIfAbsent(CONFIG_KEY, generated);
        SecretKey key = parseStored(inEffect);
        if (!inEffect.equals(generated)) {
            log.info("signing with key {} that another instance generated just now", key.name());
            return new Loaded(key, Origin.DATABASE);
        }
        String publicKey = key.publicKey().toNixString();
        if (holdsNars(store)) {
            log.error("NEW SIGNING KEY: the database holds no signing key, but the storage already holds NARs, so the"
                    + " database was lost or replaced. Generated {}; clients that trust the previous key will refuse"
                    + " everything ncps signs from now on. To sign with the previous key again, {}", publicKey, KEEP_IT);
            return new Loaded(key, Origin.GENERATED_OVER_STORED_OBJECTS);
        }
        log.warn("generated the signing key {} and stored it only in the database; if the database is lost, ncps"
                + " signs with a new key that clients do not trust. To avoid that, {}", publicKey, KEEP_IT);
        return new Loaded(key, Origin.GENERATED);
    }

    private static SecretKey parseStored(String text) throws IOException {
        try {
            return SecretKey.parse(text);
        } catch (NixParseException e) {
            throw new IOException("the secret key stored in the database (config '" + CONFIG_KEY + "') is invalid: " + e.getMessage(), e);
        }
    }

    /** Whether any NAR is stored; stops at the first one. Unknown (a storage error) counts as no. */
    private static boolean holdsNars(Store store) {
        final class Found extends RuntimeException {
            Found() {
                super(null, null, false, false);
            }
        }
        try {
            store.walk("store/nar/", object -> {
                throw new Found();
            });
            return false;
        } catch (Found found) {
            return true;
        } catch (IOException e) {
            log.warn("cannot tell whether the storage already holds NARs: {}", e.getMessage());
            return false;
        }
    }
}
