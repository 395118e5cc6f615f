package dev.ncps.config;

import static dev.ncps.config.Options.*;

import dev.ncps.cache.CacheSettings;
import dev.ncps.cache.SigningSettings;
import dev.ncps.cache.UploadSettings;
import dev.ncps.cluster.ClusterSettings;
import dev.ncps.http.HttpSettings;
import dev.ncps.index.Dialect;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockBackendSettings;
import dev.ncps.lock.LockSettings;
import dev.ncps.lock.RedisSettings;
import dev.ncps.lru.LruSettings;
import dev.ncps.lru.Schedule;
import dev.ncps.nix.PublicKey;
import dev.ncps.store.S3Config;
import dev.ncps.tracing.TracingSettings;
import dev.ncps.upstream.Proxies;
import dev.ncps.upstream.UpstreamOptions;
import dev.ncps.upstream.UpstreamSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns flags, environment and config file into validated, typed configuration. Precedence is
 * flag &gt; env &gt; file &gt; default. Every problem found is reported at once in a {@link ConfigException}.
 */
public final class ConfigLoader {
    static final String DEFAULT_STORAGE_DIR = "ncps-data";

    private final Map<String, String> env;
    private final Path workingDir;
    private final Supplier<String> localHostname;

    /**
     * @param env the environment (injected so tests need not touch the real one)
     * @param workingDir what relative paths are relative to
     * @param localHostname the default {@code cache.hostname}
     */
    public ConfigLoader(Map<String, String> env, Path workingDir, Supplier<String> localHostname) {
        this.env = Map.copyOf(env);
        this.workingDir = workingDir.toAbsolutePath();
        this.localHostname = localHostname;
    }

    /** A loader reading this process's environment and working directory. */
    public static ConfigLoader forThisProcess() {
        return new ConfigLoader(System.getenv(), Path.of(""), ConfigLoader::machineHostname);
    }

    static String machineHostname() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            ValueTypes.HOSTNAME.parse(name);
            return name;
        } catch (UnknownHostException | InvalidValueException e) {
            return "localhost";
        }
    }

    /**
     * @param flags the values given on the command line, per option (repeated flags in order)
     */
    public Loaded<ServeConfig> serve(Map<Option<?>, List<String>> flags) throws ConfigException {
        Session s = new Session(flags);
        String hostname = s.r.value(CACHE_HOSTNAME).orElseGet(localHostname);
        ServerConfig server = new ServerConfig(s.r.valueOrDefault(SERVER_ADDR), s.r.valueOrDefault(PROMETHEUS_ENABLED),
                s.r.value(SERVER_ADVERTISE_URL));
        HttpSettings http = s.http(server.addr(), hostname);
        UpstreamConfig upstream = s.upstream();
        StorageConfig storage = s.storage();
        DatabaseConfig database = s.database(storage);
        Path tempPath = s.r.value(CACHE_TEMP_PATH).map(this::absolute)
                .orElseGet(() -> Path.of(Optional.ofNullable(env.get("TMPDIR")).filter(t -> !t.isBlank()).orElse("/tmp")));
        LockBackendSettings lock = s.lock(database);
        s.requireSharedBackends(lock, storage, database);
        ClusterSettings cluster = new ClusterSettings(s.r.valueOrDefault(CACHE_LOCK_DOWNLOAD_TTL),
                s.r.valueOrDefault(CACHE_LOCK_LRU_TTL), s.r.valueOrDefault(CACHE_DOWNLOAD_POLL_TIMEOUT));
        UploadSettings uploads = s.uploads(upstream);
        TracingSettings tracing = new TracingSettings(s.r.valueOrDefault(OTEL_ENABLED), s.r.value(OTEL_GRPC_URL));
        ServeConfig config = new ServeConfig(hostname, server, http, upstream, storage, database, s.cache(tempPath), lock,
                cluster, s.lru(), s.signing(), uploads, tracing);
        return s.finish(config);
    }

    public Loaded<MigrateConfig> migrate(Map<Option<?>, List<String>> flags, boolean dryRun) throws ConfigException {
        Session s = new Session(flags);
        DatabaseConfig database = s.database(s.storage());
        return s.finish(new MigrateConfig(database, dryRun));
    }

    /**
     * What serve would run with, validated exactly as serve validates it, and every option's setting with
     * its origin ({@code ncps config check}).
     */
    public Loaded<Checked> check(Map<Option<?>, List<String>> flags) throws ConfigException {
        Loaded<ServeConfig> serve = serve(flags);
        Session s = new Session(flags);
        List<Setting> settings = Options.ALL.stream().filter(o -> !o.deprecated() && o.key() != null).map(s.r::setting).toList();
        return new Loaded<>(new Checked(serve.config(), settings), serve.logLevel(), serve.warnings());
    }

    /** A valid serve configuration and the settings it was made from. */
    public record Checked(ServeConfig config, List<Setting> settings) {}

    /** Only the storage options (for commands that move objects between storages). */
    public Loaded<StorageConfig> storage(Map<Option<?>, List<String>> flags) throws ConfigException {
        Session s = new Session(flags);
        return s.finish(s.storage());
    }

    /** For commands given everything on their command line: only the global options (log level, config file). */
    public Loaded<LogLevel> global(Map<Option<?>, List<String>> flags) throws ConfigException {
        Session s = new Session(flags);
        return s.finish(s.r.valueOrDefault(LOG_LEVEL));
    }

    public Loaded<MaintenanceConfig> maintenance(Map<Option<?>, List<String>> flags) throws ConfigException {
        Session s = new Session(flags);
        StorageConfig storage = s.storage();
        DatabaseConfig database = s.database(storage);
        LockBackendSettings lock = s.lock(database);
        s.requireSharedBackends(lock, storage, database);
        return s.finish(new MaintenanceConfig(storage, database, lock, s.signing()));
    }

    private Path absolute(Path path) {
        return workingDir.resolve(path).normalize();
    }

    /** The config file named by --config or NCPS_CONFIG_FILE, else the default one if it exists. */
    private ConfigFile configFile(Map<Option<?>, List<String>> flags) throws ConfigException {
        Optional<String> explicit = Optional.ofNullable(flags.get(CONFIG)).filter(v -> !v.isEmpty()).map(List::getLast)
                .or(() -> Optional.ofNullable(env.get(CONFIG.env())).filter(v -> !v.isBlank()));
        if (explicit.isPresent()) {
            String name = explicit.get();
            if (name.startsWith("http://") || name.startsWith("https://")) {
                throw new ConfigException("invalid value for " + CONFIG.label() + ": '" + name
                        + "': expected a file path; loading the configuration from a URL is not supported");
            }
            Path path = absolute(Path.of(name));
            if (!Files.isRegularFile(path)) {
                throw new ConfigException("config file " + path + " (" + CONFIG.label() + ") does not exist");
            }
            return ConfigFile.load(path, env);
        }
        Path path = defaultConfigPath();
        return Files.isRegularFile(path) ? ConfigFile.load(path, env) : ConfigFile.empty();
    }

    Path defaultConfigPath() {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home().resolve(".config");
        return base.resolve("ncps").resolve("config.yaml");
    }

    private Path home() {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** Unknown keys are errors (with a suggestion); keys of Go-only features are ignored with a warning. */
    private static void checkKeys(ConfigFile file, List<String> problems, List<String> warnings) {
        Set<String> known = Options.ALL.stream().flatMap(o -> o.allKeys().stream()).collect(Collectors.toSet());
        for (String key : file.keys()) {
            if (known.contains(key)) {
                continue;
            }
            if (IGNORED_GO_KEYS.stream().anyMatch(g -> g.endsWith(".") ? key.startsWith(g) : key.equals(g))) {
                warnings.add(file.describe() + ": " + key + " configures a feature of the Go ncps that ncps-java does not have; ignored");
            } else {
                problems.add(file.describe() + ": unknown key '" + key + "'"
                        + Suggestions.closest(key, known).map(k -> " (did you mean '" + k + "'?)").orElse(""));
            }
        }
    }

    /** One load: the resolver and the problems and warnings found so far. */
    private final class Session {
        final List<String> problems = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final Resolver r;

        Session(Map<Option<?>, List<String>> flags) throws ConfigException {
            ConfigFile file = configFile(flags);
            checkKeys(file, problems, warnings);
            r = new Resolver(flags, env, file, problems, warnings);
        }

        <T> Loaded<T> finish(T config) throws ConfigException {
            LogLevel level = r.valueOrDefault(LOG_LEVEL);
            Options.ALL.stream().filter(o -> o.goOnly() && r.isSet(o))
                    .forEach(o -> warnings.add(o.label() + " is an option of the Go ncps that ncps-java does not use: " + o.doc()));
            if (!problems.isEmpty()) {
                throw new ConfigException(List.copyOf(new LinkedHashSet<>(problems)));
            }
            return new Loaded<>(config, level, List.copyOf(new LinkedHashSet<>(warnings)));
        }

        UpstreamConfig upstream() {
            List<UpstreamSpec> urls = r.values(CACHE_UPSTREAM_URLS);
            if (!r.isSet(CACHE_UPSTREAM_URLS)) {
                problems.add(CACHE_UPSTREAM_URLS.label() + ": at least one upstream URL is required, e.g. "
                        + "--cache-upstream-url https://cache.nixos.org");
            }
            List<PublicKey> keys = r.values(CACHE_UPSTREAM_PUBLIC_KEYS);
            // With one upstream every key is its own, whatever its name; with several, a key belongs to the
            // upstream whose host it is named after (<host>-<n>), and a key that fits none is an error.
            boolean single = urls.size() == 1;
            for (PublicKey key : keys) {
                if (!single && urls.stream().noneMatch(url -> keyMatches(key, url))) {
                    problems.add(CACHE_UPSTREAM_PUBLIC_KEYS.label() + ": key '" + key + "' matches no upstream; "
                            + "with several upstreams, "
                            + urls.stream().map(u -> "a key for upstream " + u.url() + " must be named " + u.url().getHost() + "-<n>")
                                    .collect(Collectors.joining(", ")));
                }
            }
            // Keys that were given but did not parse are already reported; "no public key" would only mislead.
            boolean keysUnparsable = keys.isEmpty() && r.isSet(CACHE_UPSTREAM_PUBLIC_KEYS);
            List<UpstreamSpec> upstreams = new ArrayList<>();
            for (UpstreamSpec url : urls) {
                List<PublicKey> own = single ? keys : keys.stream().filter(k -> keyMatches(k, url)).toList();
                if (url.trustUnsigned()) {
                    warnings.add("upstream " + url.url() + " has trust-unsigned=true: ncps accepts its unsigned narinfos "
                            + "and signs them as its own, so whoever controls that upstream, or the network to it, "
                            + "decides what the clients of ncps install");
                } else if (own.isEmpty() && !keysUnparsable) {
                    warnings.add("upstream " + url.url() + " has no public key (" + CACHE_UPSTREAM_PUBLIC_KEYS.label()
                            + "): only its content-addressed paths will be accepted; add the key the upstream signs "
                            + "with, e.g. cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=, or declare it "
                            + "?trust-unsigned=true");
                }
                upstreams.add(url.withKeys(own));
            }
            UpstreamOptions defaults = UpstreamOptions.defaults();
            UpstreamOptions options = defaults.withTimeouts(r.valueOrDefault(CACHE_UPSTREAM_DIALER_TIMEOUT),
                            r.valueOrDefault(CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT), defaults.bodyIdleTimeout())
                    .withHealthCheckInterval(r.valueOrDefault(CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL)).withProxies(proxies());
            return new UpstreamConfig(upstreams, netrc().map(options::withNetrcFile).orElse(options));
        }

        /** Not ncps options but the variables every HTTP client reads; a malformed one is an error, not ignored. */
        private Proxies proxies() {
            try {
                return Proxies.fromEnvironment(env);
            } catch (IllegalArgumentException e) {
                problems.add("environment variable " + e.getMessage());
                return Proxies.NONE;
            }
        }

        private static boolean keyMatches(PublicKey key, UpstreamSpec url) {
            return url.ownsKeyName(key.name());
        }

        private Optional<Path> netrc() {
            if (r.isSet(NETRC_FILE)) {
                Optional<Path> path = r.value(NETRC_FILE).map(ConfigLoader.this::absolute);
                path.filter(p -> !Files.isRegularFile(p)).ifPresent(p ->
                        problems.add(NETRC_FILE.label() + ": file " + p + " does not exist"));
                return path;
            }
            return Optional.of(home().resolve(".netrc")).filter(Files::isRegularFile);
        }

        StorageConfig storage() {
            List<Option<?>> s3Options = List.of(CACHE_STORAGE_S3_BUCKET, CACHE_STORAGE_S3_ENDPOINT, CACHE_STORAGE_S3_REGION,
                    CACHE_STORAGE_S3_ACCESS_KEY_ID, CACHE_STORAGE_S3_SECRET_ACCESS_KEY);
            boolean s3 = s3Options.stream().anyMatch(r::isSet);
            if (!s3) {
                return new StorageConfig.Local(absolute(r.value(CACHE_STORAGE_LOCAL).orElse(Path.of(DEFAULT_STORAGE_DIR))));
            }
            if (r.isSet(CACHE_STORAGE_LOCAL)) {
                problems.add("storage: both " + CACHE_STORAGE_LOCAL.label() + " and cache.storage.s3.* are set; configure exactly one");
            }
            Optional<String> bucket = required(CACHE_STORAGE_S3_BUCKET);
            var endpoint = required(CACHE_STORAGE_S3_ENDPOINT);
            Optional<String> accessKey = required(CACHE_STORAGE_S3_ACCESS_KEY_ID);
            Optional<String> secretKey = required(CACHE_STORAGE_S3_SECRET_ACCESS_KEY);
            if (bucket.isEmpty() || endpoint.isEmpty() || accessKey.isEmpty() || secretKey.isEmpty()) {
                return null;
            }
            try {
                return new StorageConfig.S3(new S3Config(endpoint.get(), r.value(CACHE_STORAGE_S3_REGION).orElse(null),
                        bucket.get(), accessKey.get(), secretKey.get(), r.valueOrDefault(CACHE_STORAGE_S3_FORCE_PATH_STYLE),
                        r.valueOrDefault(CACHE_STORAGE_S3_CHECKSUM_MODE)));
            } catch (IllegalArgumentException e) {
                // S3Config's own rule (a blank bucket name); the endpoint option's type admits only what S3Config takes.
                problems.add(e.getMessage());
                return null;
            }
        }

        private <T> Optional<T> required(Option<T> option) {
            if (!r.isSet(option)) {
                problems.add(option.label() + " is required for S3 storage");
            }
            return r.value(option);
        }

        DatabaseConfig database(StorageConfig storage) {
            DatabaseUrl url = r.value(CACHE_DATABASE_URL).map(this::absoluteSqlite).orElse(null);
            if (!r.isSet(CACHE_DATABASE_URL)) {
                if (storage instanceof StorageConfig.Local(Path root)) {
                    url = DatabaseUrl.sqlite(root.resolve("db").resolve("db.sqlite"));
                } else if (storage != null) {
                    problems.add(CACHE_DATABASE_URL.label() + " is required with S3 storage; "
                            + "the embedded SQLite default only goes with local storage");
                }
            }
            return new DatabaseConfig(url, url == null ? null : url.index(r.valueOrDefault(CACHE_DATABASE_POOL_MAX_OPEN_CONNS),
                    r.valueOrDefault(CACHE_DATABASE_POOL_MAX_IDLE_CONNS)));
        }

        private DatabaseUrl absoluteSqlite(DatabaseUrl url) {
            return url.sqliteFile().filter(f -> !f.isAbsolute()).map(f -> DatabaseUrl.sqlite(absolute(f))).orElse(url);
        }

        LockBackendSettings lock(DatabaseConfig database) {
            Optional<RedisSettings> redis = redis();
            Optional<LockBackend> configured = r.value(CACHE_LOCK_BACKEND);
            LockBackend backend = configured.orElse(redis.isPresent() ? LockBackend.REDIS : LockBackend.LOCAL);
            if (backend == LockBackend.REDIS && redis.isEmpty() && !r.isSet(CACHE_REDIS_ADDRS)) {
                problems.add(CACHE_LOCK_BACKEND.label() + " is redis, which needs " + CACHE_REDIS_ADDRS.label());
            }
            if (backend == LockBackend.LOCAL && redis.isPresent()) {
                warnings.add(CACHE_REDIS_ADDRS.label() + " is set but " + CACHE_LOCK_BACKEND.label()
                        + " is local: Redis is not used and instances do not coordinate");
            }
            if (backend == LockBackend.POSTGRES && database.url() != null
                    && database.url().dialect() != Dialect.POSTGRESQL) {
                problems.add(CACHE_LOCK_BACKEND.label() + " is postgres, which needs a PostgreSQL " + CACHE_DATABASE_URL.label()
                        + ", not " + database.url().dialect().name().toLowerCase(java.util.Locale.ROOT));
            }
            LockSettings settings;
            try {
                settings = new LockSettings(r.valueOrDefault(CACHE_LOCK_REDIS_KEY_PREFIX),
                        r.valueOrDefault(CACHE_LOCK_RETRY_MAX_ATTEMPTS), r.valueOrDefault(CACHE_LOCK_RETRY_INITIAL_DELAY),
                        r.valueOrDefault(CACHE_LOCK_RETRY_MAX_DELAY), r.valueOrDefault(CACHE_LOCK_RETRY_JITTER),
                        r.valueOrDefault(CACHE_LOCK_ALLOW_DEGRADED_MODE));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage()); // the rules between values are LockSettings' own
                settings = LockSettings.DEFAULTS;
            }
            return new LockBackendSettings(backend, redis, settings);
        }

        /** The Redis settings when addresses are configured; the rules between values are RedisSettings' own. */
        private Optional<RedisSettings> redis() {
            List<String> addrs = r.values(CACHE_REDIS_ADDRS);
            if (addrs.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new RedisSettings(addrs, r.value(CACHE_REDIS_USERNAME).filter(v -> !v.isBlank()).orElse(null),
                        r.value(CACHE_REDIS_PASSWORD).filter(v -> !v.isEmpty()).orElse(null), r.valueOrDefault(CACHE_REDIS_DB),
                        r.valueOrDefault(CACHE_REDIS_USE_TLS), r.valueOrDefault(CACHE_REDIS_POOL_SIZE)));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return Optional.empty();
            }
        }

        /**
         * A distributed lock backend means several instances; they must share the bytes and the index,
         * which a local folder and a SQLite file cannot do safely.
         */
        void requireSharedBackends(LockBackendSettings lock, StorageConfig storage, DatabaseConfig database) {
            if (lock.backend() == LockBackend.LOCAL) {
                return;
            }
            String cluster = CACHE_LOCK_BACKEND.label() + " is " + lock.backend().name().toLowerCase(java.util.Locale.ROOT)
                    + " (several instances)";
            if (storage instanceof StorageConfig.Local) {
                problems.add(cluster + ", which needs shared storage: configure cache.storage.s3.* instead of "
                        + CACHE_STORAGE_LOCAL.label());
            }
            // The postgres backend already demands a PostgreSQL URL (see lock()), which says more than this would.
            if (lock.backend() == LockBackend.REDIS && database.url() != null
                    && database.url().dialect() == Dialect.SQLITE) {
                problems.add(cluster + ", which needs a shared database: a SQLite file cannot be shared between instances; "
                        + "use a postgresql:// or mysql:// " + CACHE_DATABASE_URL.label());
            }
        }

        SigningSettings signing() {
            return new SigningSettings(r.value(CACHE_SECRET_KEY_PATH).map(ConfigLoader.this::absolute),
                    r.valueOrDefault(CACHE_SIGN_NARINFO), previousKey());
        }

        private Optional<SigningSettings.Previous> previousKey() {
            Optional<Path> path = r.value(CACHE_PREVIOUS_SECRET_KEY_PATH).map(ConfigLoader.this::absolute);
            Optional<java.time.Instant> until = r.value(CACHE_PREVIOUS_KEY_UNTIL);
            if (r.isSet(CACHE_PREVIOUS_SECRET_KEY_PATH) != r.isSet(CACHE_PREVIOUS_KEY_UNTIL)) {
                problems.add("key rotation needs both " + CACHE_PREVIOUS_SECRET_KEY_PATH.label() + " and "
                        + CACHE_PREVIOUS_KEY_UNTIL.label() + " (the previous key, and when it stops signing)");
            }
            return path.isPresent() && until.isPresent() ? Optional.of(new SigningSettings.Previous(path.get(), until.get()))
                    : Optional.empty();
        }

        LruSettings lru() {
            Optional<Long> maxSize = r.value(CACHE_MAX_SIZE);
            Optional<Schedule> schedule = r.value(CACHE_LRU_SCHEDULE);
            if (r.isSet(CACHE_LRU_SCHEDULE) && !r.isSet(CACHE_MAX_SIZE)) {
                problems.add(CACHE_LRU_SCHEDULE.label() + " needs " + CACHE_MAX_SIZE.label());
            }
            return new LruSettings(maxSize.map(OptionalLong::of).orElse(OptionalLong.empty()), schedule,
                    r.valueOrDefault(CACHE_LRU_SCHEDULE_TIMEZONE));
        }

        /** Uploads signed by an upstream's key are trusted too: ncps already signs what that upstream signs. */
        UploadSettings uploads(UpstreamConfig upstream) {
            List<PublicKey> trusted = new ArrayList<>(r.values(CACHE_TRUSTED_UPLOAD_KEYS));
            upstream.upstreams().forEach(u -> trusted.addAll(u.keys()));
            return new UploadSettings(r.valueOrDefault(CACHE_REQUIRE_TRUSTED_SIGNATURE), trusted,
                    r.valueOrDefault(CACHE_ALLOW_UPLOAD_OVERWRITE), r.valueOrDefault(CACHE_MAX_UPLOAD_SIZE));
        }

        /** The option types already refuse what CacheSettings refuses (a negative allowance, no throughput). */
        CacheSettings cache(Path tempPath) {
            return new CacheSettings(tempPath, r.valueOrDefault(CACHE_NARINFO_MEMORY), CacheSettings.NARINFO_MEMO_TTL,
                    r.valueOrDefault(CACHE_DOWNLOAD_TIME_ALLOWANCE), r.valueOrDefault(CACHE_DOWNLOAD_MIN_THROUGHPUT));
        }

        /** The HTTP server's settings; an empty listen host means every interface. */
        HttpSettings http(HostPort addr, String hostname) {
            HttpSettings http = new HttpSettings(addr.host().isEmpty() ? null : addr.host(), addr.port(), hostname,
                    r.valueOrDefault(CACHE_ALLOW_PUT_VERB), r.valueOrDefault(CACHE_ALLOW_DELETE_VERB),
                    r.value(CACHE_GET_TOKEN).filter(t -> !t.isEmpty()).orElse(null),
                    r.value(CACHE_UPLOAD_TOKEN).filter(t -> !t.isEmpty()).orElse(null),
                    r.valueOrDefault(SERVER_DRAIN_TIMEOUT), r.valueOrDefault(SERVER_TRANSPARENT_COMPRESSION));
            if ((http.allowPut() || http.allowDelete()) && http.writeToken() == null) {
                warnings.add((http.allowPut() ? CACHE_ALLOW_PUT_VERB : CACHE_ALLOW_DELETE_VERB).label()
                        + " is on and no token is set: anyone who can reach ncps may upload or delete; set "
                        + CACHE_UPLOAD_TOKEN.label() + " (see docs/client-setup.md)");
            }
            return http;
        }
    }
}
