package dev.ncps.app;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ncps.config.DatabaseConfig;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.config.StorageConfig;
import dev.ncps.index.Dialect;
import dev.ncps.index.Index;
import dev.ncps.index.IndexConfig;
import dev.ncps.index.IndexException;
import dev.ncps.index.MigrationReport;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockBackendSettings;
import dev.ncps.lock.LockBackends;
import dev.ncps.lock.LockException;
import dev.ncps.lock.LockListener;
import dev.ncps.lock.Locks;
import dev.ncps.store.LocalStore;
import dev.ncps.store.S3Store;
import dev.ncps.store.Store;

import dev.ncps.cache.Signer;
import dev.ncps.cache.SigningSettings;
import dev.ncps.nix.NixParseException;
import dev.ncps.nix.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** Opens the storage, index and locks a configuration names; serve and the maintenance commands share this. */
public final class Backends {
    private static final Logger log = LoggerFactory.getLogger(Backends.class);
    private Backends() {}

    public static Index openIndex(DatabaseConfig database) throws Exception {
        return openIndex(database.index(), database.url());
    }

    /**
     * Opens the index at {@code url}; a failure an operator can fix (unreachable, credentials, a database of
     * the Go ncps ...) is one line naming the URL and the fix, as at serve's startup.
     */
    public static Index openIndex(IndexConfig config, DatabaseUrl url) throws Exception {
        try {
            return Index.open(config);
        } catch (IndexException e) {
            throw StartupErrors.database(url, e);
        }
    }

    /** {@link Index#migrate}, failing as {@link #openIndex(IndexConfig, DatabaseUrl)} does. */
    public static MigrationReport migrate(IndexConfig config, DatabaseUrl url, boolean dryRun) throws Exception {
        try {
            return Index.migrate(config, dryRun);
        } catch (IndexException e) {
            throw StartupErrors.database(url, e);
        }
    }

    public static Store openStore(StorageConfig storage) throws IOException {
        return switch (storage) {
            case StorageConfig.Local local -> new LocalStore(local.root());
            case StorageConfig.S3 s3 -> new S3Store(s3.settings());
        };
    }

    /**
     * The key serve signs with (the configured file, else the one in the database), for maintenance that
     * signs; unlike serve it never creates one.
     */
    public static SecretKey signingKey(SigningSettings signing, Index index) throws IOException, IndexException {
        if (signing.secretKeyPath().isPresent()) {
            return SigningKeys.read(signing.secretKeyPath().get(), "cache.secret-key-path");
        }
        Optional<String> stored = index.config(SigningKeys.CONFIG_KEY);
        if (stored.isEmpty()) {
            throw new IOException("no signing key: the database holds none and cache.secret-key-path is not set");
        }
        try {
            return SecretKey.parse(stored.get());
        } catch (NixParseException e) {
            throw new IOException("the secret key stored in the database is invalid: " + e.getMessage(), e);
        }
    }

    /** The signer, with the previous key of a rotation in progress when one is configured. */
    public static Signer signer(SigningSettings signing, SecretKey key) throws IOException {
        Optional<SigningSettings.Previous> previous = signing.previousKey();
        if (previous.isEmpty()) {
            return new Signer(key, signing.signNarinfo());
        }
        SecretKey previousKey = SigningKeys.read(previous.get().secretKeyPath(), "cache.previous-secret-key-path");
        log.info("key rotation: narinfos are also signed with {} until {}", previousKey.name(), previous.get().until());
        try {
            return new Signer(key, signing.signNarinfo(), previousKey, previous.get().until(), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new IOException("cache.previous-secret-key-path: " + e.getMessage(), e);
        }
    }

    /** The configured lock backend; {@code track} receives what must be closed with it (a connection pool). */
    public static Locks openLocks(LockBackendSettings lock, DatabaseConfig database, LockListener listener,
                                  UnaryOperator<Object> track) throws LockException {
        HikariDataSource pool = lock.backend() == LockBackend.POSTGRES
                ? (HikariDataSource) track.apply(lockPool(database.url(), IndexConfig.DEFAULT_NETWORK_TIMEOUT)) : null;
        return (Locks) track.apply(LockBackends.open(lock, pool, listener));
    }

    /**
     * A few connections of their own, so lock traffic never waits behind index queries; a server that stops
     * answering fails a lock call after {@code networkTimeout}, as it does an index statement.
     */
    static HikariDataSource lockPool(DatabaseUrl url, Duration networkTimeout) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName("locks");
        pool.setJdbcUrl(url.jdbcUrl());
        url.user().ifPresent(pool::setUsername);
        url.password().ifPresent(pool::setPassword);
        pool.setMaximumPoolSize(4);
        pool.setMinimumIdle(1);
        Dialect.POSTGRESQL.limitNetworkWait(pool, networkTimeout);
        return new HikariDataSource(pool);
    }
}
