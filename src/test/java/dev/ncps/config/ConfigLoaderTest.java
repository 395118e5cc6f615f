package dev.ncps.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ncps.cache.CacheSettings;
import dev.ncps.cache.UploadSettings;
import dev.ncps.http.HttpSettings;
import dev.ncps.index.IndexConfig;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockSettings;
import dev.ncps.nix.PublicKey;
import dev.ncps.store.S3Config;
import dev.ncps.store.S3Config.ChecksumMode;
import dev.ncps.tracing.TracingSettings;
import dev.ncps.upstream.UpstreamSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String NIXOS_KEY = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    static final String OTHER_KEY = "other.example-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
    static final String NO_KEY = "upstream https://cache.nixos.org has no public key (cache.upstream.public-keys "
            + "(--cache-upstream-public-key, CACHE_UPSTREAM_PUBLIC_KEYS)): only its content-addressed paths will be "
            + "accepted; add the key the upstream signs with, e.g. " + NIXOS_KEY + ", or declare it ?trust-unsigned=true";
    static final String LOCAL_STORAGE_IN_CLUSTER = " (several instances), which needs shared storage: configure "
            + "cache.storage.s3.* instead of cache.storage.local (--cache-storage-local, CACHE_STORAGE_LOCAL)";
    static final String SQLITE_IN_CLUSTER = " (several instances), which needs a shared database: a SQLite file cannot be "
            + "shared between instances; use a postgresql:// or mysql:// cache.database-url (--cache-database-url, CACHE_DATABASE_URL)";

    @TempDir
    Path dir;
    final Map<String, String> env = new HashMap<>();
    final Map<Option<?>, List<String>> flags = new HashMap<>();

    @BeforeEach
    void minimalUpstream() {
        env.put("HOME", dir.toString());
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org");
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", NIXOS_KEY);
    }

    private ConfigLoader loader() {
        return new ConfigLoader(env, dir, () -> "testhost");
    }

    private void flag(Option<?> option, String... values) {
        flags.put(option, List.of(values));
    }

    private Path configFile(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        flag(Options.CONFIG, file.toString());
        return file;
    }

    private Loaded<ServeConfig> serve() throws ConfigException {
        return loader().serve(flags);
    }

    private List<String> problems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, this::serve);
        assertThat(e).as("the configuration was expected to be refused").isNotNull();
        return e.problems();
    }

    @Test
    void unixSocketDatabaseUrlsAreAccepted() throws Exception {
        env.put("CACHE_DATABASE_URL", "postgres+unix:///run/postgresql/ncps");
        assertThat(serve().config().database().url().unixSocket()).hasValue(Path.of("/run/postgresql/.s.PGSQL.5432"));
    }

    @Test
    void theLoaderBuildsTheIndexSettingsWithItsPoolDefaults() throws Exception {
        env.put("CACHE_DATABASE_URL", "postgres://u:pw@db/ncps");
        IndexConfig index = serve().config().database().index();
        assertThat(index.jdbcUrl()).isEqualTo("jdbc:postgresql://db/ncps");
        assertThat(index.user()).isEqualTo("u");
        assertThat(index.password()).isEqualTo("pw");
        assertThat(index.maxOpen()).isEqualTo(IndexConfig.DEFAULT_MAX_OPEN);
        assertThat(index.maxIdle()).isEqualTo(IndexConfig.DEFAULT_MAX_IDLE);
        assertThat(index.migrateOnOpen()).isTrue();
        env.put("CACHE_DATABASE_POOL_MAX_OPEN_CONNS", "3");
        assertThat(serve().config().database().index().maxIdle()).isEqualTo(3);
        env.put("CACHE_DATABASE_POOL_MAX_IDLE_CONNS", "2");
        assertThat(serve().config().database().index()).extracting(IndexConfig::maxOpen, IndexConfig::maxIdle).containsExactly(3, 2);
    }

    @Test
    void theLoaderBuildsTheCacheSettings() throws Exception {
        env.put("CACHE_TEMP_PATH", "tmp");
        env.put("CACHE_NARINFO_MEMORY", "1M");
        CacheSettings cache = serve().config().cache();
        assertThat(cache.tempDir()).isEqualTo(dir.resolve("tmp"));
        assertThat(cache.narInfoMemoBytes()).isEqualTo(1 << 20);
        assertThat(cache.narInfoMemoTtl()).isEqualTo(CacheSettings.NARINFO_MEMO_TTL);
    }

    /** The upstream client needs a timeout above 0; the option says so instead of serve failing at startup. */
    @Test
    void upstreamTimeoutsMustBeAboveZero() {
        env.put("CACHE_UPSTREAM_DIALER_TIMEOUT", "0s");
        assertThat(problems()).containsExactly("invalid value for cache.upstream.dialer-timeout (--cache-upstream-dialer-timeout, "
                + "CACHE_UPSTREAM_DIALER_TIMEOUT): '0s': expected a duration above 0");
    }

    @Test
    void uploadsTrustTheConfiguredUploadKeysAndEveryUpstreamsKeys() throws Exception {
        String uploaderKey = "uploader-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
        env.put("CACHE_TRUSTED_UPLOAD_KEYS", uploaderKey);
        UploadSettings uploads = serve().config().uploads();
        assertThat(uploads.trustedKeys()).extracting(PublicKey::toNixString).containsExactly(uploaderKey, NIXOS_KEY);
        assertThat(uploads.requireTrustedSignature()).isTrue();
        assertThat(uploads.allowOverwrite()).isFalse();
    }

    /** S3 storage and a PostgreSQL database: what several instances with a distributed lock backend need. */
    private void sharedBackends() {
        flag(Options.CACHE_STORAGE_S3_BUCKET, "b");
        flag(Options.CACHE_STORAGE_S3_ENDPOINT, "https://s3.example");
        flag(Options.CACHE_STORAGE_S3_ACCESS_KEY_ID, "id");
        flag(Options.CACHE_STORAGE_S3_SECRET_ACCESS_KEY, "s3-secret");
        flag(Options.CACHE_DATABASE_URL, "postgres://db/ncps");
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
        configFile("server:\n  addr: ':1001'\n");
        env.put("SERVER_ADDR", ":1002");
        flag(Options.SERVER_ADDR, ":1003");
        assertThat(serve().config().server().addr().port()).isEqualTo(1003);
        flags.remove(Options.SERVER_ADDR);
        assertThat(serve().config().server().addr().port()).isEqualTo(1002);
        env.remove("SERVER_ADDR");
        assertThat(serve().config().server().addr().port()).isEqualTo(1001);
        Files.writeString(dir.resolve("config.yaml"), "log:\n  level: debug\n");
        assertThat(serve().config().server().addr()).isEqualTo(new HostPort("", 8501));
        assertThat(serve().config().http()).extracting(HttpSettings::host, HttpSettings::port).containsExactly(null, 8501);
        assertThat(serve().logLevel()).isEqualTo(LogLevel.DEBUG);
    }

    @Test
    void anEmptyEnvVarCountsAsUnset() throws Exception {
        configFile("cache:\n  hostname: from-file\n");
        env.put("CACHE_HOSTNAME", "");
        assertThat(serve().config().hostname()).isEqualTo("from-file");
    }

    @Test
    void envReferencesInTheFileAreExpanded() throws Exception {
        configFile("""
                cache:
                  hostname: ${HOST_FROM_ENV}
                  get-token: ${MISSING_TOKEN:-fallback-token}
                  lock:
                    redis:
                      key-prefix: 'costs-$$5:'
                """);
        env.put("HOST_FROM_ENV", "cache.example.com");
        ServeConfig config = serve().config();
        assertThat(config.hostname()).isEqualTo("cache.example.com");
        assertThat(config.http().getToken()).isEqualTo("fallback-token");
        assertThat(config.lock().settings().keyPrefix()).isEqualTo("costs-$5:");
    }

    @Test
    void anUnsetEnvReferenceWithoutDefaultNamesTheKey() throws Exception {
        Path file = configFile("cache:\n  storage:\n    s3:\n      secret-access-key: ${S3_SECRET}\n");
        assertThat(problems()).containsExactly("config file " + file + ": cache.storage.s3.secret-access-key: "
                + "environment variable S3_SECRET is not set; set it or write ${S3_SECRET:-default}");
    }

    @Test
    void badSizeNamesKeyFlagEnvValueAndForm() throws Exception {
        flag(Options.CACHE_MAX_SIZE, "5GB");
        assertThat(problems()).containsExactly("invalid value for cache.max-size (--cache-max-size, CACHE_MAX_SIZE): '5GB': "
                + "expected a whole number followed by one unit B, K, M, G or T (base 1024), e.g. 100G");
    }

    @Test
    void badDurationFromEnv() {
        env.put("CACHE_LOCK_DOWNLOAD_TTL", "5min");
        assertThat(problems()).containsExactly("invalid value for cache.lock.download-lock-ttl (--cache-lock-download-ttl, "
                + "CACHE_LOCK_DOWNLOAD_TTL): '5min': expected a Go duration: numbers with units ns, us, ms, s, m or h, e.g. 300ms, 5m, 1h30m");
    }

    @Test
    void badValuesFromTheFileAreReportedAllAtOnce() throws Exception {
        configFile("""
                cache:
                  hostname: https://cache.example.com
                  allow-put-verb: yes-please
                  lru:
                    schedule: every night
                    timezone: Mars/Olympus
                  max-size: 10G
                  database-url: oracle://db/ncps
                """);
        assertThat(problems()).containsExactlyInAnyOrder(
                "invalid value for cache.hostname (--cache-hostname, CACHE_HOSTNAME): 'https://cache.example.com': expected "
                        + "a host name without scheme or '/', e.g. cache.example.com",
                "invalid value for cache.allow-put-verb (--cache-allow-put-verb, CACHE_ALLOW_PUT_VERB): 'yes-please': expected true or false",
                "invalid value for cache.lru.schedule (--cache-lru-schedule, CACHE_LRU_SCHEDULE): 'every night': expected " + ScheduleText.FORM,
                "invalid value for cache.lru.timezone (--cache-lru-schedule-timezone, CACHE_LRU_SCHEDULE_TZ): 'Mars/Olympus': "
                        + "expected Local, UTC or an IANA time zone name, e.g. Europe/Berlin",
                "invalid value for cache.database-url (--cache-database-url, CACHE_DATABASE_URL): 'oracle://db/ncps': expected "
                        + DatabaseUrl.FORM + " (unknown scheme oracle)");
    }

    @Test
    void badUpstreamUrl() {
        env.put("CACHE_UPSTREAM_URLS", "cache.nixos.org");
        assertThat(problems()).contains("invalid value for cache.upstream.urls (--cache-upstream-url, CACHE_UPSTREAM_URLS): "
                + "'cache.nixos.org': expected " + UpstreamUrl.FORM);
    }

    @Test
    void anUpstreamsAllowListComesFromRepeatedAllowTargetParameters() throws Exception {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org?allow-target=10.20.0.0/16&priority=10&allow-target=minio.internal:9000");
        UpstreamSpec upstream = serve().config().upstream().upstreams().getFirst();
        assertThat(upstream.url()).isEqualTo(URI.create("https://cache.nixos.org"));
        assertThat(upstream.priorityOverride()).isEqualTo(10);
        assertThat(upstream.allowedTargets()).extracting(Object::toString).containsExactly("10.20.0.0/16", "minio.internal:9000");
    }

    @Test
    void aBadAllowTargetNamesTheEntryAndTheAcceptedForms() {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org?allow-target=10.0.0.0/40");
        assertThat(problems()).contains("invalid value for cache.upstream.urls (--cache-upstream-url, CACHE_UPSTREAM_URLS): "
                + "'https://cache.nixos.org?allow-target=10.0.0.0/40': allow-target '10.0.0.0/40' is not an allowed target: "
                + "expected HOST, HOST:PORT, [IPv6]:PORT or an address block such as 10.0.0.0/8");
    }

    @Test
    void proxiesComeFromTheStandardEnvironmentVariablesUpperCaseFirst() throws Exception {
        env.put("https_proxy", "http://lower.example:1");
        env.put("HTTPS_PROXY", "proxy.example:3128");
        env.put("no_proxy", "internal.example, 10.0.0.0/8");
        UpstreamConfig upstream = serve().config().upstream();
        assertThat(upstream.options().proxies().https()).isEqualTo(URI.create("http://proxy.example:3128"));
        assertThat(upstream.options().proxies().http()).isNull();
        assertThat(upstream.options().proxies().noProxy()).containsExactly("internal.example", "10.0.0.0/8");
    }

    @Test
    void aMalformedProxyVariableIsAnErrorThatDoesNotEchoItsPassword() {
        env.put("HTTP_PROXY", "socks5://user:hunter2@proxy.example:1080");
        assertThat(problems()).singleElement().asString().startsWith("environment variable HTTP_PROXY: 'socks5://***@proxy.example:1080'")
                .doesNotContain("hunter2");
    }

    @Test
    void badPublicKey() {
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", "cache.nixos.org-1:AAAA");
        assertThat(problems()).containsExactly("invalid value for cache.upstream.public-keys (--cache-upstream-public-key, "
                + "CACHE_UPSTREAM_PUBLIC_KEYS): 'cache.nixos.org-1:AAAA': expected " + ValueTypes.PUBLIC_KEY_FORM);
    }

    @Test
    void databasePasswordsAreNotRepeatedInErrors() {
        env.put("CACHE_DATABASE_URL", "postgres://ncps:hunter2@/");
        assertThat(problems()).singleElement().asString().contains("'postgres://ncps:***@/'").doesNotContain("hunter2");
    }

    @Test
    void aKeyOfAnyNameBelongsToTheOnlyUpstream() throws Exception {
        String mirrorKey = "my-mirror-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
        env.put("CACHE_UPSTREAM_URLS", "https://mirror.example");
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", NIXOS_KEY + "," + mirrorKey);
        Loaded<ServeConfig> loaded = serve();
        assertThat(loaded.config().upstream().upstreams()).singleElement()
                .extracting(ConfigLoaderTest::keys).isEqualTo(List.of(NIXOS_KEY, mirrorKey));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void withSeveralUpstreamsAKeyMatchingNoneIsAnError() {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org,https://mirror.example:8443");
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", NIXOS_KEY + ",mirror.example-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=," + OTHER_KEY);
        assertThat(problems()).containsExactly("cache.upstream.public-keys (--cache-upstream-public-key, CACHE_UPSTREAM_PUBLIC_KEYS): "
                + "key '" + OTHER_KEY + "' matches no upstream; with several upstreams, a key for upstream https://cache.nixos.org "
                + "must be named cache.nixos.org-<n>, a key for upstream https://mirror.example:8443 must be named mirror.example-<n>");
    }

    @Test
    void anUpstreamWithoutAPublicKeyStartsWithAWarning() throws Exception {
        env.remove("CACHE_UPSTREAM_PUBLIC_KEYS");
        Loaded<ServeConfig> loaded = serve();
        assertThat(loaded.warnings()).containsExactly(NO_KEY);
        assertThat(loaded.config().upstream().upstreams().getFirst().keys()).isEmpty();
    }

    @Test
    void withSeveralUpstreamsOneWithoutItsOwnKeyIsWarnedAbout() throws Exception {
        env.put("CACHE_UPSTREAM_URLS", "https://other.example,https://cache.nixos.org");
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", OTHER_KEY);
        assertThat(serve().warnings()).containsExactly(NO_KEY);
    }

    @Test
    void anUpstreamTrustedWithoutSignaturesIsWarnedAboutLoudly() throws Exception {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org?trust-unsigned=true&priority=5");
        env.remove("CACHE_UPSTREAM_PUBLIC_KEYS");
        Loaded<ServeConfig> loaded = serve();
        assertThat(loaded.config().upstream().upstreams().getFirst().trustUnsigned()).isTrue();
        assertThat(loaded.warnings()).containsExactly("upstream https://cache.nixos.org has trust-unsigned=true: ncps "
                + "accepts its unsigned narinfos and signs them as its own, so whoever controls that upstream, or the "
                + "network to it, decides what the clients of ncps install");
    }

    @Test
    void trustUnsignedTakesOnlyTrueOrFalse() {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org?trust-unsigned=yes");
        assertThat(problems()).anySatisfy(p -> assertThat(p).contains("trust-unsigned must be true or false, not 'yes'"));
    }

    @Test
    void keysAreAttachedToTheUpstreamsTheirNamesMatch() throws Exception {
        env.put("CACHE_UPSTREAM_URLS", "https://cache.nixos.org,http://other.example:8080?priority=50");
        String portKey = "other.example-2:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";
        env.put("CACHE_UPSTREAM_PUBLIC_KEYS", NIXOS_KEY + "," + portKey);
        List<UpstreamSpec> upstreams = serve().config().upstream().upstreams();
        assertThat(upstreams).extracting(ConfigLoaderTest::keys).containsExactly(List.of(NIXOS_KEY), List.of(portKey));
        assertThat(upstreams.get(1).url()).isEqualTo(URI.create("http://other.example:8080"));
        assertThat(upstreams.get(1).priorityOverride()).isEqualTo(50);
    }

    @Test
    void anUpstreamIsRequired() {
        env.remove("CACHE_UPSTREAM_URLS");
        env.remove("CACHE_UPSTREAM_PUBLIC_KEYS");
        assertThat(problems()).containsExactly("cache.upstream.urls (--cache-upstream-url, CACHE_UPSTREAM_URLS): at least one "
                + "upstream URL is required, e.g. --cache-upstream-url https://cache.nixos.org");
    }

    @Test
    void lruScheduleNeedsMaxSize() {
        flag(Options.CACHE_LRU_SCHEDULE, "@daily");
        assertThat(problems()).containsExactly("cache.lru.schedule (--cache-lru-schedule, CACHE_LRU_SCHEDULE) needs "
                + "cache.max-size (--cache-max-size, CACHE_MAX_SIZE)");
        flag(Options.CACHE_MAX_SIZE, "100G");
        assertThat(catchThrowableOfType(ConfigException.class, this::serve)).isNull();
    }

    @Test
    void localAndS3StorageConflict() {
        flag(Options.CACHE_STORAGE_LOCAL, "/srv/ncps");
        flag(Options.CACHE_STORAGE_S3_BUCKET, "b");
        flag(Options.CACHE_STORAGE_S3_ENDPOINT, "https://s3.example");
        flag(Options.CACHE_STORAGE_S3_ACCESS_KEY_ID, "id");
        flag(Options.CACHE_STORAGE_S3_SECRET_ACCESS_KEY, "secret");
        flag(Options.CACHE_DATABASE_URL, "postgres://db/ncps");
        assertThat(problems()).containsExactly("storage: both cache.storage.local (--cache-storage-local, CACHE_STORAGE_LOCAL) "
                + "and cache.storage.s3.* are set; configure exactly one");
    }

    @Test
    void s3NeedsBucketEndpointCredentialsAndADatabase() {
        flag(Options.CACHE_STORAGE_S3_BUCKET, "b");
        flag(Options.CACHE_STORAGE_S3_ENDPOINT, "s3.example");
        assertThat(problems()).containsExactly(
                "invalid value for cache.storage.s3.endpoint (--cache-storage-s3-endpoint, CACHE_STORAGE_S3_ENDPOINT): 's3.example': "
                        + "expected an http or https URL with a host, e.g. https://s3.amazonaws.com",
                "cache.storage.s3.access-key-id (--cache-storage-s3-access-key-id, CACHE_STORAGE_S3_ACCESS_KEY_ID) is required for S3 storage",
                "cache.storage.s3.secret-access-key (--cache-storage-s3-secret-access-key, CACHE_STORAGE_S3_SECRET_ACCESS_KEY) "
                        + "is required for S3 storage");
        flag(Options.CACHE_STORAGE_S3_ENDPOINT, "http://s3.example:9000");
        flag(Options.CACHE_STORAGE_S3_ACCESS_KEY_ID, "id");
        flag(Options.CACHE_STORAGE_S3_SECRET_ACCESS_KEY, "secret");
        assertThat(problems()).containsExactly("cache.database-url (--cache-database-url, CACHE_DATABASE_URL) is required with "
                + "S3 storage; the embedded SQLite default only goes with local storage");
    }

    /** URL schemes are case-insensitive: what the endpoint option accepts, the S3 store takes. */
    @Test
    void anS3EndpointWithAnUppercaseSchemeIsAccepted() throws Exception {
        sharedBackends();
        flag(Options.CACHE_STORAGE_S3_ENDPOINT, "HTTPS://s3.example:9000/");
        StorageConfig.S3 s3 = (StorageConfig.S3) serve().config().storage();
        assertThat(s3.settings().endpoint()).isEqualTo(URI.create("https://s3.example:9000/"));
    }

    @Test
    void redisLockBackendNeedsAddresses() {
        sharedBackends();
        env.put("CACHE_LOCK_BACKEND", "redis");
        assertThat(problems()).containsExactly("cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is redis, which "
                + "needs cache.redis.addrs (--cache-redis-addrs, CACHE_REDIS_ADDRS)");
    }

    @Test
    void severalRedisAddressesAreOneClusterWithOnlyDatabaseZero() {
        sharedBackends();
        env.put("CACHE_REDIS_ADDRS", "a:1,b:2");
        env.put("CACHE_REDIS_DB", "1");
        assertThat(problems()).containsExactly("cache.redis.db: 1 is not allowed with several cache.redis.addrs"
                + " (a Redis Cluster has only database 0)");
    }

    @Test
    void postgresLockBackendNeedsPostgres() {
        sharedBackends();
        env.put("CACHE_LOCK_BACKEND", "postgres");
        flag(Options.CACHE_DATABASE_URL, "mysql://db/ncps");
        assertThat(problems()).containsExactly("cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is postgres, which "
                + "needs a PostgreSQL cache.database-url (--cache-database-url, CACHE_DATABASE_URL), not mysql");
        flag(Options.CACHE_DATABASE_URL, "postgres://db/ncps");
        assertThat(catchThrowableOfType(ConfigException.class, this::serve)).isNull();
    }

    @Test
    void redisLockBackendRefusesLocalStorageAndSqlite() {
        env.put("CACHE_REDIS_ADDRS", "redis:6379");
        assertThat(problems()).containsExactly("cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is redis"
                + LOCAL_STORAGE_IN_CLUSTER, "cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is redis" + SQLITE_IN_CLUSTER);
    }

    @Test
    void redisLockBackendRefusesLocalStorageEvenWithASharedDatabase() {
        env.put("CACHE_REDIS_ADDRS", "redis:6379");
        flag(Options.CACHE_STORAGE_LOCAL, "/srv/ncps");
        flag(Options.CACHE_DATABASE_URL, "mysql://db/ncps");
        assertThat(problems()).containsExactly("cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is redis"
                + LOCAL_STORAGE_IN_CLUSTER);
    }

    @Test
    void redisLockBackendRefusesSqliteEvenWithS3() {
        sharedBackends();
        env.put("CACHE_REDIS_ADDRS", "redis:6379");
        flag(Options.CACHE_DATABASE_URL, "sqlite:/srv/ncps.db");
        assertThat(problems()).containsExactly("cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is redis"
                + SQLITE_IN_CLUSTER);
    }

    /** SQLite is named once, by the postgres backend's own demand for PostgreSQL, not a second time as unshareable. */
    @Test
    void postgresLockBackendRefusesSqliteAndLocalStorage() {
        env.put("CACHE_LOCK_BACKEND", "postgres");
        assertThat(problems()).containsExactly(
                "cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is postgres, which needs a PostgreSQL "
                        + "cache.database-url (--cache-database-url, CACHE_DATABASE_URL), not sqlite",
                "cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND) is postgres" + LOCAL_STORAGE_IN_CLUSTER);
    }

    @Test
    void anExplicitLocalLockBackendKeepsLocalStorageAndSqlite() throws Exception {
        env.put("CACHE_REDIS_ADDRS", "redis:6379");
        env.put("CACHE_LOCK_BACKEND", "local");
        ServeConfig config = serve().config();
        assertThat(config.storage()).isInstanceOf(StorageConfig.Local.class);
        assertThat(config.database().url().dialect()).isEqualTo(dev.ncps.index.Dialect.SQLITE);
    }

    @Test
    void advertiseUrlIsReadAndDefaultsToNone() throws Exception {
        assertThat(serve().config().server().advertiseUrl()).isEmpty();
        configFile("server:\n  advertise-url: http://10.0.0.5:8501\n");
        assertThat(serve().config().server().advertiseUrl()).hasValue(URI.create("http://10.0.0.5:8501"));
        env.put("SERVER_ADVERTISE_URL", "https://ncps-1.internal");
        assertThat(serve().config().server().advertiseUrl()).hasValue(URI.create("https://ncps-1.internal"));
    }

    @Test
    void anAdvertiseUrlWithoutHttpSchemeIsRejected() {
        flag(Options.SERVER_ADVERTISE_URL, "10.0.0.5:8501");
        assertThat(problems()).containsExactly("invalid value for server.advertise-url (--server-advertise-url, "
                + "SERVER_ADVERTISE_URL): '10.0.0.5:8501': expected " + ValueTypes.HTTP_URL_FORM);
    }

    @Test
    void unknownLockBackendListsTheAllowedValues() {
        env.put("CACHE_LOCK_BACKEND", "etcd");
        assertThat(problems()).containsExactly("invalid value for cache.lock.backend (--cache-lock-backend, CACHE_LOCK_BACKEND): "
                + "'etcd': expected one of local, redis, postgres");
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() throws Exception {
        Path file = configFile("cache:\n  upstream:\n    url: https://x\n  frobnicate: 1\nlog-level: debug\n");
        assertThat(problems()).containsExactly(
                "config file " + file + ": unknown key 'cache.upstream.url' (did you mean 'cache.upstream.urls'?)",
                "config file " + file + ": unknown key 'cache.frobnicate'",
                "config file " + file + ": unknown key 'log-level' (did you mean 'log.level'?)");
    }

    @Test
    void tracingIsOffByDefaultAndTheGoKeysTurnItOn() throws Exception {
        assertThat(serve().config().tracing()).isEqualTo(TracingSettings.OFF);

        configFile("opentelemetry:\n  enabled: true\n  grpc-url: http://otel-collector:4317\n");
        Loaded<ServeConfig> loaded = serve();

        assertThat(loaded.config().tracing()).isEqualTo(new TracingSettings(true, Optional.of(URI.create("http://otel-collector:4317"))));
        assertThat(loaded.warnings()).noneMatch(w -> w.contains("opentelemetry"));
    }

    @Test
    void aTracingEndpointThatIsNotAnHttpUrlIsRefused() throws Exception {
        env.put("OTEL_GRPC_URL", "otel-collector:4317");
        assertThat(problems()).singleElement().asString().startsWith(
                "invalid value for opentelemetry.grpc-url (--otel-grpc-url, OTEL_GRPC_URL): 'otel-collector:4317': expected");
    }

    @Test
    void goOnlyFeatureKeysAreIgnoredWithAWarning() throws Exception {
        Path file = configFile("analytics:\n  reporting:\n    enabled: true\ncache:\n  cdc:\n    enabled: false\n    future-knob: 1\n");
        assertThat(serve().warnings()).contains(
                "analytics.reporting.enabled (--analytics-reporting-enabled, ANALYTICS_REPORTING_ENABLED) is an option of the Go "
                        + "ncps that ncps-java does not use: ncps-java sends no analytics.",
                "cache.cdc.enabled (--cache-cdc-enabled, CACHE_CDC_ENABLED) is an option of the Go ncps that ncps-java does "
                        + "not use: ncps-java stores whole NARs; it has no content-defined chunking.",
                "config file " + file + ": cache.cdc.future-knob configures a feature of the Go ncps that ncps-java does not have; ignored");
    }

    @Test
    void uploadsWithoutAnyTokenAreWarnedAboutAndATokenSilencesTheWarning() throws Exception {
        configFile("cache:\n  allow-put-verb: true\n");
        assertThat(serve().warnings()).anySatisfy(warning -> assertThat(warning)
                .startsWith("cache.allow-put-verb (--cache-allow-put-verb, CACHE_ALLOW_PUT_VERB) is on and no token is set")
                .contains("cache.upload-token"));

        env.put("CACHE_UPLOAD_TOKEN", "writer");
        Loaded<ServeConfig> guarded = serve();
        assertThat(guarded.warnings()).noneSatisfy(warning -> assertThat(warning).contains("no token is set"));
        assertThat(guarded.config().http().writeToken()).isEqualTo("writer");
        assertThat(guarded.config().uploads().requireTrustedSignature()).isTrue();
        assertThat(guarded.config().http().toString()).doesNotContain("writer");
    }

    @Test
    void duplicateKeysAreRejectedWithTheirLine() throws Exception {
        Path file = configFile("cache:\n  hostname: a\n  hostname: b\n");
        assertThat(problems()).singleElement().asString().startsWith("config file " + file + ": found duplicate key hostname")
                .contains("line 3");
    }

    @Test
    void listsComeFromYamlListsCommaSeparatedEnvAndRepeatedFlags() throws Exception {
        env.remove("CACHE_UPSTREAM_URLS");
        env.remove("CACHE_UPSTREAM_PUBLIC_KEYS");
        configFile("""
                cache:
                  upstream:
                    urls:
                      - https://cache.nixos.org
                      - https://a.example
                    public-keys: [%s, a.example-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=]
                  redis:
                    addrs: r1:6379, r2:6379
                """.formatted(NIXOS_KEY));
        sharedBackends();
        ServeConfig fromFile = serve().config();
        assertThat(fromFile.upstream().upstreams()).extracting(u -> u.url().toString())
                .containsExactly("https://cache.nixos.org", "https://a.example");
        assertThat(fromFile.lock().redis().orElseThrow().addrs()).containsExactly("r1:6379", "r2:6379");

        env.put("CACHE_REDIS_ADDRS", "e1:1, e2:2 ,e3:3");
        assertThat(serve().config().lock().redis().orElseThrow().addrs()).hasSize(3);
        flag(Options.CACHE_REDIS_ADDRS, "f1:1", "f2:2");
        assertThat(serve().config().lock().redis().orElseThrow().addrs()).containsExactly("f1:1", "f2:2");
    }

    @Test
    void aListForASingleValueOptionIsAnError() throws Exception {
        Path file = configFile("cache:\n  hostname: [a, b]\n");
        assertThat(problems()).containsExactly("invalid value for cache.hostname (--cache-hostname, CACHE_HOSTNAME): a list in "
                + "config file " + file + ": expected a single value");
    }

    @Test
    void embeddedDefaultsNeedOnlyAnUpstream() throws Exception {
        Loaded<ServeConfig> loaded = serve();
        ServeConfig config = loaded.config();
        assertThat(config.hostname()).isEqualTo("testhost");
        assertThat(config.storage()).isEqualTo(new StorageConfig.Local(dir.resolve("ncps-data")));
        assertThat(config.database().url()).isEqualTo(DatabaseUrl.sqlite(dir.resolve("ncps-data/db/db.sqlite")));
        assertThat(config.lock().backend()).isEqualTo(LockBackend.LOCAL);
        assertThat(config.cluster().downloadTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.http().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.signing().signNarinfo()).isTrue();
        assertThat(config.upstream().options().netrcFile()).isNull();
        assertThat(config.lru().maxSize()).isEmpty();
        assertThat(loaded.logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void relativePathsAreResolvedAgainstTheWorkingDirectory() throws Exception {
        flag(Options.CACHE_STORAGE_LOCAL, "store");
        flag(Options.CACHE_DATABASE_URL, "sqlite:state/ncps.db");
        ServeConfig config = serve().config();
        assertThat(config.storage()).isEqualTo(new StorageConfig.Local(dir.resolve("store")));
        assertThat(config.database().url().sqliteFile()).hasValue(dir.resolve("state/ncps.db"));
    }

    @Test
    void deprecatedGoFlagsStillWorkWithAWarning() throws Exception {
        env.remove("CACHE_UPSTREAM_URLS");
        env.put("UPSTREAM_CACHES", "https://cache.nixos.org");
        flag(Options.CACHE_DATA_PATH, "/srv/old");
        Loaded<ServeConfig> loaded = serve();
        assertThat(loaded.config().upstream().upstreams()).hasSize(1);
        assertThat(loaded.config().storage()).isEqualTo(new StorageConfig.Local(Path.of("/srv/old")));
        assertThat(loaded.warnings()).contains(
                "cache.upstream.caches (--upstream-cache, UPSTREAM_CACHES) is deprecated; use cache.upstream.urls "
                        + "(--cache-upstream-url, CACHE_UPSTREAM_URLS)",
                "cache.data-path (--cache-data-path, CACHE_DATA_PATH) is deprecated; use cache.storage.local "
                        + "(--cache-storage-local, CACHE_STORAGE_LOCAL)");
    }

    @Test
    void anExplicitConfigFileMustExist() {
        flag(Options.CONFIG, "missing.yaml");
        assertThat(problems()).containsExactly("config file " + dir.resolve("missing.yaml")
                + " (--config (NCPS_CONFIG_FILE)) does not exist");
        flags.clear();
        env.put("NCPS_CONFIG_FILE", "/nonexistent/ncps.yaml");
        assertThat(problems()).singleElement().asString().contains("/nonexistent/ncps.yaml");
    }

    @Test
    void theDefaultConfigFileIsReadFromXdgConfigHome() throws Exception {
        Path xdg = dir.resolve("xdg");
        Files.createDirectories(xdg.resolve("ncps"));
        Files.writeString(xdg.resolve("ncps/config.yaml"), "cache:\n  hostname: from-xdg\n");
        assertThat(serve().config().hostname()).isEqualTo("testhost");
        env.put("XDG_CONFIG_HOME", xdg.toString());
        assertThat(serve().config().hostname()).isEqualTo("from-xdg");
    }

    @Test
    void migrateReadsTheGoMigrateKeyAndRejectsConflictingKeys() throws Exception {
        Path file = configFile("cache:\n  database:\n    url: postgres://db/ncps\n");
        MigrateConfig config = loader().migrate(flags, true).config();
        assertThat(config.database().url().jdbcUrl()).isEqualTo("jdbc:postgresql://db/ncps");
        assertThat(config.dryRun()).isTrue();
        Files.writeString(file, "cache:\n  database-url: postgres://db/other\n  database:\n    url: postgres://db/ncps\n");
        assertThat(catchThrowableOfType(ConfigException.class, () -> loader().migrate(flags, false)).problems())
                .containsExactly("config file " + file + ": cache.database-url and cache.database.url both set cache.database-url "
                        + "(--cache-database-url, CACHE_DATABASE_URL) to different values; keep one");
    }

    @Test
    void secretsStayOutOfToString() throws Exception {
        sharedBackends();
        env.put("CACHE_REDIS_ADDRS", "r:6379");
        env.put("CACHE_REDIS_PASSWORD", "redis-secret");
        env.put("CACHE_GET_TOKEN", "token-secret");
        flag(Options.CACHE_DATABASE_URL, "postgres://u:db-secret@h/db");
        assertThat(serve().config().toString()).doesNotContain("redis-secret", "token-secret", "db-secret", "s3-secret");
    }

    /** The HA example of the seed document, "Step 4", must load as written. */
    @Test
    void theHighAvailabilityExampleLoads() throws Exception {
        String seed = Files.readString(Path.of("/work/shared/seed/high-availability.md"));
        Matcher m = Pattern.compile("### Step 4.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(seed);
        assertThat(m.find()).isTrue();
        env.clear();
        env.putAll(Map.of("HOME", dir.toString(), "S3_ACCESS_KEY", "AKIA", "S3_SECRET_KEY", "s3-secret", "REDIS_PASSWORD", "pw"));
        configFile(m.group(1));
        Loaded<ServeConfig> loaded = serve();
        ServeConfig config = loaded.config();
        assertThat(config.hostname()).isEqualTo("cache.example.com");
        assertThat(config.storage()).isEqualTo(new StorageConfig.S3(new S3Config(URI.create("https://s3.amazonaws.com"),
                "us-east-1", "ncps-cache", "AKIA", "s3-secret", false, ChecksumMode.WHEN_SUPPORTED)));
        assertThat(config.database().url().jdbcUrl()).isEqualTo("jdbc:postgresql://postgres:5432/ncps?sslmode=require");
        assertThat(config.lock().backend()).isEqualTo(LockBackend.REDIS);
        assertThat(config.lock().redis().orElseThrow().password()).isEqualTo("pw");
        assertThat(config.lock().settings()).isEqualTo(LockSettings.DEFAULTS);
        assertThat(config.cluster().exclusiveTtl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.server().prometheusEnabled()).isTrue();
        assertThat(keys(config.upstream().upstreams().getFirst())).containsExactly(NIXOS_KEY);
        assertThat(loaded.warnings()).isEmpty();
    }

    private static List<String> keys(UpstreamSpec upstream) {
        return upstream.keys().stream().map(PublicKey::toNixString).toList();
    }
}
