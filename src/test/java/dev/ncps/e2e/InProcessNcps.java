package dev.ncps.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ncps.app.ServeCommand;
import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.Options;
import dev.ncps.config.ServeConfig;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;

/**
 * {@code ncps serve} running in the test JVM, configured the way a user would: through the environment
 * variables of the real options ({@link #start}: a free loopback port, local storage and SQLite in a folder
 * of its own, removed on close), or through a YAML config file ({@link #fromYaml}: whatever the file says).
 */
public final class InProcessNcps implements AutoCloseable {
    private final ServeCommand command;
    private final ServeCommand.Running running;
    /** The folder of an instance configured by {@link #start} or {@link #sibling}; null for {@link #fromYaml}. */
    private final Path dataDir;
    /** Whether closing removes {@link #dataDir}: false for a {@link #sibling}. */
    private final boolean ownsDataDir;
    /** The upstream and its key of an instance configured by {@link #start}, for {@link #sibling}. */
    private final URI upstream;
    private final String upstreamKey;

    private InProcessNcps(ServeCommand command, ServeCommand.Running running, Path dataDir, boolean ownsDataDir, URI upstream,
                          String upstreamKey) {
        this.command = command;
        this.running = running;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.upstream = upstream;
        this.upstreamKey = upstreamKey;
    }

    /** A fresh instance in a new folder; {@code settings} are more environment variables, e.g. CACHE_ALLOW_PUT_VERB. */
    public static InProcessNcps start(URI upstream, String upstreamKey, Map<String, String> settings) {
        return start(TestDirs.newWorkDir("ncps"), true, upstream, upstreamKey, settings);
    }

    /**
     * A second instance on this one's storage and database, as another member of a cluster without a lock
     * backend, with its own temp folder; {@code settings} as for {@link #start}. Closing it leaves the folder.
     */
    public InProcessNcps sibling(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.put("CACHE_TEMP_PATH", dataDir.resolve("tmp-" + System.nanoTime()).toString());
        return start(dataDir, false, upstream, upstreamKey, env);
    }

    private static InProcessNcps start(Path dataDir, boolean ownsDataDir, URI upstream, String upstreamKey,
                                       Map<String, String> settings) {
        Map<String, String> env = environment(dataDir, upstream, upstreamKey);
        env.put("SERVER_ADDR", Processes.LOOPBACK + ":0");
        env.putAll(settings);
        try {
            return launch(new ConfigLoader(env, dataDir, () -> "test.local").serve(Map.of()).config(), dataDir, ownsDataDir,
                    upstream, upstreamKey);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start ncps in-process on " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings of an instance that shares its index ({@code databaseUrl}) and bytes ({@code s3}) with others,
     * plus {@code more} as name, value pairs.
     */
    public static Map<String, String> sharedBackends(String databaseUrl, dev.ncps.testing.S3Server s3, String... more) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("CACHE_DATABASE_URL", databaseUrl,
                "CACHE_STORAGE_LOCAL", "", "CACHE_STORAGE_S3_BUCKET", s3.bucket(),
                "CACHE_STORAGE_S3_ENDPOINT", s3.endpoint().toString(), "CACHE_STORAGE_S3_REGION", s3.region(),
                "CACHE_STORAGE_S3_ACCESS_KEY_ID", s3.accessKey(), "CACHE_STORAGE_S3_SECRET_ACCESS_KEY", s3.secretKey(),
                "CACHE_STORAGE_S3_FORCE_PATH_STYLE", "true"));
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return settings;
    }

    /**
     * An instance started from {@code yamlText} as {@code ncps serve --config file} would load it, with an
     * empty environment; the file is written to {@code dir}, which the caller owns.
     */
    public static InProcessNcps fromYaml(String yamlText, Path dir) throws Exception {
        return launch(loadYaml(yamlText, dir), null, false, null, null);
    }

    /** Loads {@code yamlText} as the config file with an empty environment; throws the loader's ConfigException. */
    public static ServeConfig loadYaml(String yamlText, Path dir) throws IOException, ConfigException {
        Path file = Files.createTempFile(Files.createDirectories(dir), "config-", ".yaml");
        Files.writeString(file, yamlText);
        return new ConfigLoader(Map.of("HOME", dir.toString()), dir, () -> "testhost")
                .serve(Map.of(Options.CONFIG, List.of(file.toString()))).config();
    }

    private static InProcessNcps launch(ServeConfig config, Path dataDir, boolean ownsDataDir, URI upstream, String upstreamKey)
            throws Exception {
        ServeCommand command = new ServeCommand();
        try {
            return new InProcessNcps(command, command.start(config), dataDir, ownsDataDir, upstream, upstreamKey);
        } catch (Exception | Error e) {
            command.close();
            throw e;
        }
    }

    /** The environment of an ncps on {@code dataDir} (storage, database, temp files) with one upstream; an empty key is none. */
    private static Map<String, String> environment(Path dataDir, URI upstream, String upstreamKey) {
        Map<String, String> env = new HashMap<>(Map.of(
                "HOME", dataDir.toString(),
                "CACHE_STORAGE_LOCAL", storageDir(dataDir).toString(),
                "CACHE_TEMP_PATH", dataDir.resolve("tmp").toString(),
                "CACHE_UPSTREAM_URLS", upstream.toString(),
                "SERVER_DRAIN_TIMEOUT", "2s"));
        if (!upstreamKey.isEmpty()) {
            env.put("CACHE_UPSTREAM_PUBLIC_KEYS", upstreamKey);
        }
        return env;
    }

    static Path storageDir(Path dataDir) {
        return dataDir.resolve("storage");
    }

    public URI url() {
        return URI.create("http://" + Processes.LOOPBACK + ":" + running.http().port());
    }

    public URI url(String path) {
        return url().resolve(path);
    }

    /** The folder of the local storage of an instance configured by {@link #start}. */
    public Path storageDir() {
        return storageDir(dataDir);
    }

    /** The storage keys its SQLite index accounts to narinfos besides their NARs (listings, build logs), for LRU. */
    public List<String> sideObjectKeys() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + storageDir().resolve("db").resolve("db.sqlite"));
             ResultSet rows = c.createStatement().executeQuery("SELECT object_key FROM side_objects ORDER BY object_key")) {
            List<String> keys = new ArrayList<>();
            while (rows.next()) keys.add(rows.getString(1));
            return keys;
        }
    }

    /** This instance's public key, {@code name:base64}. */
    public String publicKey() {
        return running.cache().signer().publicKey().toNixString();
    }

    /** Files under the storage folder whose name contains {@code part}, e.g. a NAR's file hash. */
    public List<Path> storedFilesNamed(String part) {
        return filesNamed(storageDir(), part);
    }

    /** Files under the temp folder (downloads in progress or left behind), not the lock on this instance's folder. */
    public List<Path> tempFiles() {
        return filesNamed(dataDir.resolve("tmp"), "").stream().filter(f -> !f.getFileName().toString().endsWith(".lock")).toList();
    }

    static List<Path> filesNamed(Path dir, String part) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().contains(part)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        command.close();
        if (ownsDataDir) {
            TestDirs.deleteTree(dataDir);
        }
    }
}
