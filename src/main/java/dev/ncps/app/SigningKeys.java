package dev.ncps.app;

import dev.ncps.index.Index;
import dev.ncps.index.IndexException;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.SecretKey;
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
 */
final class SigningKeys {
    static final String CONFIG_KEY = "secret_key";
    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    private SigningKeys() {}

    /** A key file; errors name the option ({@code key}) that gave the file. */
    static SecretKey read(Path file, String key) throws IOException {
        try {
            return SecretKey.parse(Files.readString(file).trim());
        } catch (NixParseException e) {
            throw new IOException(key + ": " + file + " does not hold a Nix secret key: " + e.getMessage(), e);
        }
    }

    static SecretKey load(Optional<Path> file, String hostname, Index index) throws IOException, IndexException {
        if (file.isPresent()) {
            SecretKey key = read(file.get(), "cache.secret-key-path");
            String text = key.toNixString();
            if (!index.config(CONFIG_KEY).map(text::equals).orElse(false)) {
                index.configPut(CONFIG_KEY, text);
            }
            return key;
        }
        String stored = index.configPutIfAbsent(CONFIG_KEY, SecretKey.generate(hostname).toNixString());
        try {
            SecretKey key = SecretKey.parse(stored);
            log.info("signing with key {} from the database", key.name());
            return key;
        } catch (NixParseException e) {
            throw new IOException("the secret key stored in the database (config '" + CONFIG_KEY + "') is invalid: " + e.getMessage(), e);
        }
    }
}
