package dev.ncps.config;

import static dev.ncps.config.Option.Scope.GLOBAL;
import static dev.ncps.config.Option.Scope.SERVE;
import static dev.ncps.config.Option.Scope.SERVE_AND_MIGRATE;
import static dev.ncps.config.Option.Section.AUTH;
import static dev.ncps.config.Option.Section.DATABASE;
import static dev.ncps.config.Option.Section.GENERAL;
import static dev.ncps.config.Option.Section.LOCK;
import static dev.ncps.config.Option.Section.LRU;
import static dev.ncps.config.Option.Section.REDIS;
import static dev.ncps.config.Option.Section.SERVER;
import static dev.ncps.config.Option.Section.SIGNING;
import static dev.ncps.config.Option.Section.STORAGE;
import static dev.ncps.config.Option.Section.UPSTREAM;
import static dev.ncps.config.ValueTypes.BOOLEAN;
import static dev.ncps.config.ValueTypes.DATABASE_URL;
import static dev.ncps.config.ValueTypes.DURATION;
import static dev.ncps.config.ValueTypes.POSITIVE_DURATION;
import static dev.ncps.config.ValueTypes.HOSTNAME;
import static dev.ncps.config.ValueTypes.HTTP_URL;
import static dev.ncps.config.ValueTypes.INSTANT;
import static dev.ncps.config.ValueTypes.LISTEN_ADDRESS;
import static dev.ncps.config.ValueTypes.NON_NEGATIVE_INT;
import static dev.ncps.config.ValueTypes.PATH;
import static dev.ncps.config.ValueTypes.POSITIVE_INT;
import static dev.ncps.config.ValueTypes.POSITIVE_SIZE;
import static dev.ncps.config.ValueTypes.PUBLIC_KEY;
import static dev.ncps.config.ValueTypes.SCHEDULE;
import static dev.ncps.config.ValueTypes.REDIS_ADDRESS;
import static dev.ncps.config.ValueTypes.SIZE;
import static dev.ncps.config.ValueTypes.STRING;
import static dev.ncps.config.ValueTypes.TIMEZONE;
import static dev.ncps.config.ValueTypes.UPSTREAM_URL;
import static dev.ncps.config.ValueTypes.choice;

import dev.ncps.lock.LockBackend;
import dev.ncps.lru.Schedule;
import dev.ncps.nix.PublicKey;
import dev.ncps.store.S3Config.ChecksumMode;
import dev.ncps.upstream.UpstreamSpec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Every option of ncps, declared once. Flags, env var names and YAML keys are those of the Go ncps
 * (a user's existing config must keep working); {@link Option#extension()} marks our additions.
 */
public final class Options {
    private Options() {}

    // General

    public static final Option<Path> CONFIG = Option.of(GENERAL, GLOBAL, null, "config", "NCPS_CONFIG_FILE", PATH)
            .computedDefault("`$XDG_CONFIG_HOME/ncps/config.yaml`, else `~/.config/ncps/config.yaml` (skipped when missing)")
            .doc("Path of the YAML configuration file. A file named here (flag or env) must exist.");

    public static final Option<LogLevel> LOG_LEVEL = Option.of(GENERAL, GLOBAL, "log.level", "log-level", "LOG_LEVEL",
                    choice("level", List.of(Map.entry("trace", LogLevel.TRACE), Map.entry("debug", LogLevel.DEBUG),
                            Map.entry("info", LogLevel.INFO), Map.entry("warn", LogLevel.WARN), Map.entry("error", LogLevel.ERROR),
                            Map.entry("fatal", LogLevel.ERROR), Map.entry("panic", LogLevel.ERROR))))
            .defaultValue("info")
            .doc("Log level: trace, debug, info, warn or error (the Go ncps's fatal and panic mean error).");

    public static final Option<Boolean> PROMETHEUS_ENABLED = Option.of(GENERAL, GLOBAL, "prometheus.enabled",
                    "prometheus-enabled", "PROMETHEUS_ENABLED", BOOLEAN)
            .defaultValue("false")
            .doc("Serve Prometheus metrics at GET /metrics.");

    public static final Option<Boolean> OTEL_ENABLED = Option.of(GENERAL, GLOBAL, "opentelemetry.enabled",
                    "otel-enabled", "OTEL_ENABLED", BOOLEAN)
            .defaultValue("false")
            .doc("Record OpenTelemetry traces of requests (docs/operations/tracing.md). Off: no exporter, no thread,"
                    + " nothing recorded.");

    public static final Option<URI> OTEL_GRPC_URL = Option.of(GENERAL, GLOBAL, "opentelemetry.grpc-url",
                    "otel-grpc-url", "OTEL_GRPC_URL", HTTP_URL)
            .doc("OTLP/gRPC endpoint traces are sent to, e.g. `http://otel-collector:4317` (`https://` for TLS)."
                    + " Unset with tracing on: every finished span is logged instead (logger `ncps.trace`).");

    // Server

    public static final Option<HostPort> SERVER_ADDR = Option.of(SERVER, SERVE, "server.addr", "server-addr", "SERVER_ADDR", LISTEN_ADDRESS)
            .defaultValue(":8501")
            .doc("Address the HTTP server listens on.");

    public static final Option<Duration> SERVER_DRAIN_TIMEOUT = Option.of(SERVER, SERVE, "server.drain-timeout",
                    "server-drain-timeout", "SERVER_DRAIN_TIMEOUT", DURATION)
            .defaultValue("30s").javaExtension()
            .doc("On SIGTERM, how long in-flight requests and downloads may take to finish; then responses still"
                    + " being sent are cut off and downloads still running are aborted, and the process exits 0 a few"
                    + " seconds later whatever upstreams do.");

    public static final Option<URI> SERVER_ADVERTISE_URL = Option.of(SERVER, SERVE, "server.advertise-url",
                    "server-advertise-url", "SERVER_ADVERTISE_URL", HTTP_URL)
            .javaExtension()
            .doc("How the other instances of a cluster reach this one, e.g. `http://10.0.0.5:8501`: a follower streams a "
                    + "download in progress from the instance that owns it. Default: `http://<this host's address>:<port>`.");

    public static final Option<Boolean> SERVER_TRANSPARENT_COMPRESSION = Option.of(SERVER, SERVE,
                    "server.transparent-compression", "server-transparent-compression", "SERVER_TRANSPARENT_COMPRESSION", BOOLEAN)
            .defaultValue("true").javaExtension()
            .doc("Answer requests for uncompressed NARs (`.nar`) with `Content-Encoding: zstd` (or gzip) when the client "
                    + "accepts it, as Nix clients do. Turn off to serve the bytes as stored, e.g. on a fast local network.");

    public static final Option<String> CACHE_HOSTNAME = Option.of(SERVER, SERVE, "cache.hostname", "cache-hostname", "CACHE_HOSTNAME", HOSTNAME)
            .computedDefault("this machine's host name (`localhost` if it has none)")
            .doc("Host name of the cache; names the signing key generated on first start.");

    public static final Option<Path> CACHE_TEMP_PATH = Option.of(SERVER, SERVE, "cache.temp-path", "cache-temp-path", "CACHE_TEMP_PATH", PATH)
            .computedDefault("`$TMPDIR`, else `/tmp`")
            .doc("Directory for downloads and uploads in progress (in `ncps-downloads/`, one locked folder per running"
                    + " instance; what a killed instance left is removed at the next start).");

    public static final Option<Duration> CACHE_DOWNLOAD_POLL_TIMEOUT = Option.of(SERVER, SERVE, "cache.download.poll-timeout",
                    "cache-download-poll-timeout", "CACHE_DOWNLOAD_POLL_TIMEOUT", DURATION)
            .defaultValue("30s")
            .doc("With a shared lock backend: how long a narinfo miss waits for the same lookup running on another instance "
                    + "before asking the upstreams itself. The wait is the longer of this and the download lock TTL, as in the Go ncps.");

    public static final Option<Duration> CACHE_DOWNLOAD_TIME_ALLOWANCE = Option.of(SERVER, SERVE, "cache.download.time-allowance",
                    "cache-download-time-allowance", "CACHE_DOWNLOAD_TIME_ALLOWANCE", DURATION)
            .defaultValue("5m").javaExtension()
            .doc("Every NAR download may take this long plus its size at `cache.download.min-throughput`; past that "
                    + "it is aborted, so an upstream that keeps sending a byte now and then cannot hold a download "
                    + "(and its cluster lock) forever. The size is the narinfo's FileSize, else what its NarSize allows.");

    public static final Option<Long> CACHE_DOWNLOAD_MIN_THROUGHPUT = Option.of(SERVER, SERVE, "cache.download.min-throughput",
                    "cache-download-min-throughput", "CACHE_DOWNLOAD_MIN_THROUGHPUT", POSITIVE_SIZE)
            .defaultValue("32K").javaExtension()
            .doc("Slowest average rate, per second, a NAR download may have (see `cache.download.time-allowance`), "
                    + "e.g. `32K`: a 1 GiB NAR may take 5 minutes plus about 9 hours.");

    public static final Option<Long> CACHE_NARINFO_MEMORY = Option.of(SERVER, SERVE, "cache.narinfo-memory",
                    "cache-narinfo-memory", "CACHE_NARINFO_MEMORY", SIZE)
            .defaultValue("16M").javaExtension()
            .doc("Heap for signed narinfos recently served, answered without a database read for up to 60 s "
                    + "(their texts plus about 180 bytes each: 16M holds about 14,000 narinfos of 1 KiB); when full "
                    + "it is emptied. `0` turns it off.");

    // Upstream

    public static final Option<UpstreamSpec> CACHE_UPSTREAM_URLS = Option.of(UPSTREAM, SERVE, "cache.upstream.urls",
                    "cache-upstream-url", "CACHE_UPSTREAM_URLS", UPSTREAM_URL)
            .list()
            .doc("Upstream binary cache URL; at least one. `?priority=N` pins its priority (lower is preferred). "
                    + "`?allow-target=HOST[:PORT]` (or an address block such as `10.20.0.0/16`; repeatable) lets its NAR URLs "
                    + "and redirects lead to that internal target, which is otherwise refused: only the upstream's own host and port "
                    + "and public addresses are fetched from (see docs/security.md). `?trust-unsigned=true` accepts the "
                    + "upstream's unsigned narinfos and signs them as ncps's own: only for a cache you control end to end "
                    + "(warned at startup).");

    public static final Option<PublicKey> CACHE_UPSTREAM_PUBLIC_KEYS = Option.of(UPSTREAM, SERVE, "cache.upstream.public-keys",
                    "cache-upstream-public-key", "CACHE_UPSTREAM_PUBLIC_KEYS", PUBLIC_KEY)
            .list()
            .doc("Public key an upstream signs its narinfos with. An upstream without one starts with a warning and gives "
                    + "only content-addressed paths (a narinfo whose `CA` recomputes to its store path; see docs/security.md), "
                    + "unless it is declared `?trust-unsigned=true`. With one upstream, "
                    + "every key is its own whatever its name (as in Nix's `trusted-public-keys`). With several, a key "
                    + "belongs to the upstream whose host it is named after, `<host>-<n>` (e.g. `cache.nixos.org-1:…`, port "
                    + "ignored), and a key that matches no upstream is an error.");

    public static final Option<Duration> CACHE_UPSTREAM_DIALER_TIMEOUT = Option.of(UPSTREAM, SERVE, "cache.upstream.dialer-timeout",
                    "cache-upstream-dialer-timeout", "CACHE_UPSTREAM_DIALER_TIMEOUT", POSITIVE_DURATION)
            .defaultValue("3s")
            .doc("Timeout for connecting to an upstream.");

    public static final Option<Duration> CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT = Option.of(UPSTREAM, SERVE,
                    "cache.upstream.response-header-timeout", "cache-upstream-response-header-timeout",
                    "CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT", POSITIVE_DURATION)
            .defaultValue("3s")
            .doc("Timeout for an upstream's response headers.");

    public static final Option<Duration> CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL = Option.of(UPSTREAM, SERVE,
                    "cache.upstream.health-check-interval", "cache-upstream-health-check-interval",
                    "CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL", POSITIVE_DURATION)
            .defaultValue("5s").javaExtension()
            .doc("How often each upstream's `/nix-cache-info` is fetched to tell whether it is up. An upstream that"
                    + " fails a check is skipped until one passes, so this bounds how long a miss keeps failing after"
                    + " the upstream comes back. A request that finds an upstream down checks it again at once."
                    + " (The Go ncps checks once a minute.)");

    public static final Option<Path> NETRC_FILE = Option.of(UPSTREAM, SERVE, "cache.netrc-file", "netrc-file", "NETRC_FILE", PATH)
            .computedDefault("`~/.netrc` when it exists")
            .doc("netrc file with credentials for upstreams. A file named explicitly must exist.");

    // Storage

    public static final Option<Path> CACHE_STORAGE_LOCAL = Option.of(STORAGE, SERVE_AND_MIGRATE, "cache.storage.local",
                    "cache-storage-local", "CACHE_STORAGE_LOCAL", PATH)
            .computedDefault("`./ncps-data` when no S3 bucket is configured")
            .doc("Directory holding the cache (local storage). Relative paths are relative to the working directory.");

    public static final Option<String> CACHE_STORAGE_S3_BUCKET = s3("bucket", STRING).doc("S3 bucket name; setting it selects S3 storage.");
    public static final Option<URI> CACHE_STORAGE_S3_ENDPOINT = s3("endpoint", HTTP_URL).doc("S3 endpoint with its scheme, e.g. `https://s3.amazonaws.com`.");
    public static final Option<String> CACHE_STORAGE_S3_REGION = s3("region", STRING).doc("S3 region.");
    public static final Option<String> CACHE_STORAGE_S3_ACCESS_KEY_ID = s3("access-key-id", STRING).doc("S3 access key id.");
    public static final Option<String> CACHE_STORAGE_S3_SECRET_ACCESS_KEY = s3("secret-access-key", STRING).doc("S3 secret access key.");
    public static final Option<Boolean> CACHE_STORAGE_S3_FORCE_PATH_STYLE = s3("force-path-style", BOOLEAN)
            .defaultValue("false").doc("Address the bucket in the path (`endpoint/bucket/key`) instead of the host name; MinIO needs it.");
    public static final Option<ChecksumMode> CACHE_STORAGE_S3_CHECKSUM_MODE = s3("checksum-mode",
                    choice("mode", List.of(Map.entry("when_supported", ChecksumMode.WHEN_SUPPORTED),
                            Map.entry("when_required", ChecksumMode.WHEN_REQUIRED))))
            .defaultValue("when_supported").javaExtension()
            .doc("When the S3 client sends request checksums: when_supported, or when_required for S3-compatible "
                    + "stores that reject the newer checksum headers.");

    private static <T> Option<T> s3(String name, ValueType<T> type) {
        return Option.of(STORAGE, SERVE_AND_MIGRATE, "cache.storage.s3." + name, "cache-storage-s3-" + name,
                "CACHE_STORAGE_S3_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'), type);
    }

    // Database

    public static final Option<DatabaseUrl> CACHE_DATABASE_URL = Option.of(DATABASE, SERVE_AND_MIGRATE, "cache.database-url",
                    "cache-database-url", "CACHE_DATABASE_URL", DATABASE_URL)
            .alias("cache.database.url")
            .computedDefault("`sqlite:<storage-local>/db/db.sqlite` with local storage; required with S3")
            .doc("Database URL: `sqlite:/path.db`, `postgres://user:pass@host:5432/db` or `mysql://user:pass@host:3306/db`. "
                    + "Unix sockets as in the Go ncps: `postgres+unix://user@/run/postgresql/db` (the socket directory; "
                    + "`?port=` names the socket file `.s.PGSQL.<port>`, default 5432) or `postgres://user@/db?host=/run/postgresql`; "
                    + "`mysql+unix://user:pass@/run/mysqld/mysqld.sock/db` or `mysql://user:pass@/db?socket=/run/mysqld/mysqld.sock` "
                    + "(also `?unix_socket=`, `?host=/path`). On PostgreSQL and MySQL/MariaDB a statement that gets no answer "
                    + "from the server for 60 s fails and its connection is dropped (a server that vanished otherwise holds "
                    + "requests for many minutes); migrations wait as long as they take. To change it, add the driver's own "
                    + "parameter to the URL: `?socketTimeout=` in seconds for PostgreSQL, in milliseconds for MySQL/MariaDB.");

    public static final Option<Integer> CACHE_DATABASE_POOL_MAX_OPEN_CONNS = Option.of(DATABASE, SERVE_AND_MIGRATE,
                    "cache.database.pool.max-open-conns", "cache-database-pool-max-open-conns",
                    "CACHE_DATABASE_POOL_MAX_OPEN_CONNS", NON_NEGATIVE_INT)
            .defaultValue("0")
            .doc("Most open database connections; 0 means the dialect's default (SQLite 1, others 25).");

    public static final Option<Integer> CACHE_DATABASE_POOL_MAX_IDLE_CONNS = Option.of(DATABASE, SERVE_AND_MIGRATE,
                    "cache.database.pool.max-idle-conns", "cache-database-pool-max-idle-conns",
                    "CACHE_DATABASE_POOL_MAX_IDLE_CONNS", NON_NEGATIVE_INT)
            .defaultValue("0")
            .doc("Most idle database connections; 0 means the dialect's default (5).");

    // Signing

    public static final Option<Path> CACHE_SECRET_KEY_PATH = Option.of(SIGNING, SERVE, "cache.secret-key-path",
                    "cache-secret-key-path", "CACHE_SECRET_KEY_PATH", PATH)
            .computedDefault("the key stored in the database, generated on first start")
            .doc("File with the Nix secret key that signs narinfos (`name:base64`, as `nix key generate-secret`"
                    + " writes it; keep it readable only by ncps). Without it the key lives only in the database, and"
                    + " losing the database changes the cache's public key (logged as an error at the next start);"
                    + " see docs/deployment/signing-key.md.");

    public static final Option<Boolean> CACHE_SIGN_NARINFO = Option.of(SIGNING, SERVE, "cache.sign-narinfo",
                    "cache-sign-narinfo", "CACHE_SIGN_NARINFO", BOOLEAN)
            .defaultValue("true")
            .doc("Add this cache's signature to every narinfo it serves.");

    public static final Option<Path> CACHE_PREVIOUS_SECRET_KEY_PATH = Option.of(SIGNING, SERVE, "cache.previous-secret-key-path",
                    "cache-previous-secret-key-path", "CACHE_PREVIOUS_SECRET_KEY_PATH", PATH)
            .javaExtension()
            .doc("Key rotation: file with the previous secret key. Until cache.previous-key-until, narinfos are signed "
                    + "with both keys, so clients that trust only the previous key keep working. Its name must differ "
                    + "from the current key's.");

    public static final Option<Instant> CACHE_PREVIOUS_KEY_UNTIL = Option.of(SIGNING, SERVE, "cache.previous-key-until",
                    "cache-previous-key-until", "CACHE_PREVIOUS_KEY_UNTIL", INSTANT)
            .javaExtension()
            .doc("Key rotation: when to stop signing with the previous key (required with cache.previous-secret-key-path).");

    // Access control

    public static final Option<Boolean> CACHE_ALLOW_PUT_VERB = Option.of(AUTH, SERVE, "cache.allow-put-verb",
                    "cache-allow-put-verb", "CACHE_ALLOW_PUT_VERB", BOOLEAN)
            .defaultValue("false").doc("Accept uploads (PUT under /upload). They need `cache.upload-token`, else "
                    + "`cache.get-token`; with neither set anyone who can reach ncps may upload.");

    public static final Option<Boolean> CACHE_ALLOW_DELETE_VERB = Option.of(AUTH, SERVE, "cache.allow-delete-verb",
                    "cache-allow-delete-verb", "CACHE_ALLOW_DELETE_VERB", BOOLEAN)
            .defaultValue("false").doc("Accept DELETE of narinfos and NARs; it needs the same token as uploads.");

    public static final Option<String> CACHE_GET_TOKEN = Option.of(AUTH, SERVE, "cache.get-token",
                    "cache-get-token", "CACHE_GET_TOKEN", STRING)
            .doc("When set, GET and HEAD requests need this token, as `Authorization: Bearer <token>` or as the password of "
                    + "Basic authentication (a Nix `netrc-file`); /nix-cache-info, /healthz, /readyz and /metrics stay open "
                    + "for load balancers, probes and scrapers. Without "
                    + "`cache.upload-token` it is also the token of PUT and DELETE.");

    public static final Option<String> CACHE_UPLOAD_TOKEN = Option.of(AUTH, SERVE, "cache.upload-token",
                    "cache-upload-token", "CACHE_UPLOAD_TOKEN", STRING)
            .javaExtension()
            .doc("The token PUT and DELETE need (Bearer, or Basic with the token as password). It also reads, since a "
                    + "Nix netrc holds one password per host. Unset: writes need `cache.get-token` when that is set, "
                    + "and are open to anyone who can reach ncps when no token is set (logged as a warning at startup).");

    public static final Option<Boolean> CACHE_ALLOW_UPLOAD_OVERWRITE = Option.of(AUTH, SERVE, "cache.allow-upload-overwrite",
                    "cache-allow-upload-overwrite", "CACHE_ALLOW_UPLOAD_OVERWRITE", BOOLEAN)
            .defaultValue("false").javaExtension()
            .doc("Let an upload replace a narinfo ncps already holds (from an upstream or an earlier upload). Off: such "
                    + "an upload is refused with 409 unless it describes the same content (same StorePath, NarHash, NarSize "
                    + "and References), which is accepted and changes nothing.");

    public static final Option<Long> CACHE_MAX_UPLOAD_SIZE = Option.of(AUTH, SERVE, "cache.max-upload-size",
                    "cache-max-upload-size", "CACHE_MAX_UPLOAD_SIZE", SIZE)
            .defaultValue("4G").javaExtension()
            .doc("Largest NAR file an upload may send; a larger one is refused with 413 (at once when its Content-Length "
                    + "says so) and nothing of it is kept.");

    public static final Option<Boolean> CACHE_REQUIRE_TRUSTED_SIGNATURE = Option.of(AUTH, SERVE, "cache.require-trusted-signature",
                    "cache-require-trusted-signature", "CACHE_REQUIRE_TRUSTED_SIGNATURE", BOOLEAN)
            .defaultValue("true")
            .doc("Accept an uploaded narinfo only if it carries a valid signature of a `cache.trusted-upload-keys` key, of an "
                    + "upstream's key or of ncps's own key; ncps then adds its own signature. `false` makes ncps sign whatever "
                    + "an uploader sends, so every client trusting the ncps key trusts every uploader. The Go ncps defaults to false.");

    public static final Option<PublicKey> CACHE_TRUSTED_UPLOAD_KEYS = Option.of(AUTH, SERVE, "cache.trusted-upload-keys",
                    "cache-trusted-upload-key", "CACHE_TRUSTED_UPLOAD_KEYS", PUBLIC_KEY)
            .list().doc("Public key (`name:base64`) whose signature makes an uploaded narinfo trusted "
                    + "(see `cache.require-trusted-signature`).");

    // LRU

    public static final Option<Long> CACHE_MAX_SIZE = Option.of(LRU, SERVE, "cache.max-size", "cache-max-size", "CACHE_MAX_SIZE", SIZE)
            .doc("Size the cache is trimmed to by the LRU job, e.g. `100G`: NARs plus the listings and build logs kept for their paths.");

    public static final Option<Schedule> CACHE_LRU_SCHEDULE = Option.of(LRU, SERVE, "cache.lru.schedule",
                    "cache-lru-schedule", "CACHE_LRU_SCHEDULE", SCHEDULE)
            .doc("When the LRU job runs (cron); needs `cache.max-size`.");

    public static final Option<ZoneId> CACHE_LRU_SCHEDULE_TIMEZONE = Option.of(LRU, SERVE, "cache.lru.timezone",
                    "cache-lru-schedule-timezone", "CACHE_LRU_SCHEDULE_TZ", TIMEZONE)
            .defaultValue("Local").doc("Time zone of the LRU schedule.");

    // Redis

    public static final Option<String> CACHE_REDIS_ADDRS = redis("addrs", "cache-redis-addrs", REDIS_ADDRESS)
            .list().doc("Redis address `host:port`; setting one selects the Redis lock backend unless another is configured.");
    public static final Option<String> CACHE_REDIS_USERNAME = redis("username", "cache-redis-username", STRING).doc("Redis user name.");
    public static final Option<String> CACHE_REDIS_PASSWORD = redis("password", "cache-redis-password", STRING).doc("Redis password.");
    public static final Option<Integer> CACHE_REDIS_DB = redis("db", "cache-redis-db", NON_NEGATIVE_INT)
            .defaultValue("0").doc("Redis database number.");
    public static final Option<Boolean> CACHE_REDIS_USE_TLS = redis("use-tls", "cache-redis-use-tls", BOOLEAN)
            .defaultValue("false").doc("Connect to Redis over TLS (the Go ncps ignores this setting; ncps-java honours it).");
    public static final Option<Integer> CACHE_REDIS_POOL_SIZE = redis("pool-size", "cache-redis-pool-size", POSITIVE_INT)
            .defaultValue("10").doc("Most Redis connections.");

    private static <T> Option<T> redis(String name, String flag, ValueType<T> type) {
        return Option.of(REDIS, SERVE, "cache.redis." + name, flag, flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_'), type);
    }

    // Locks

    public static final Option<LockBackend> CACHE_LOCK_BACKEND = Option.of(LOCK, SERVE, "cache.lock.backend",
                    "cache-lock-backend", "CACHE_LOCK_BACKEND",
                    choice("backend", List.of(Map.entry("local", LockBackend.LOCAL), Map.entry("redis", LockBackend.REDIS),
                            Map.entry("postgres", LockBackend.POSTGRES))))
            .computedDefault("`redis` when `cache.redis.addrs` is set, else `local`")
            .doc("Lock backend: local (one instance), redis, or postgres (leases in a table of the PostgreSQL database; "
                    + "an ncps-java extension). redis and postgres mean several instances, which must share S3 storage and "
                    + "a PostgreSQL or MySQL database: local storage and SQLite are refused.");

    public static final Option<String> CACHE_LOCK_REDIS_KEY_PREFIX = Option.of(LOCK, SERVE, "cache.lock.redis.key-prefix",
                    "cache-lock-redis-key-prefix", "CACHE_LOCK_REDIS_KEY_PREFIX", STRING)
            .defaultValue("ncps:lock:").doc("Prefix of the Redis lock keys.");

    public static final Option<Duration> CACHE_LOCK_DOWNLOAD_TTL = Option.of(LOCK, SERVE, "cache.lock.download-lock-ttl",
                    "cache-lock-download-ttl", "CACHE_LOCK_DOWNLOAD_TTL", DURATION)
            .defaultValue("5m").doc("Lease time of a download lock; renewed while the download makes progress.");

    public static final Option<Duration> CACHE_LOCK_LRU_TTL = Option.of(LOCK, SERVE, "cache.lock.lru-lock-ttl",
                    "cache-lock-lru-ttl", "CACHE_LOCK_LRU_TTL", DURATION)
            .defaultValue("30m").doc("Lease time of the LRU lock.");

    public static final Option<Integer> CACHE_LOCK_RETRY_MAX_ATTEMPTS = Option.of(LOCK, SERVE, "cache.lock.retry.max-attempts",
                    "cache-lock-retry-max-attempts", "CACHE_LOCK_RETRY_MAX_ATTEMPTS", POSITIVE_INT)
            .defaultValue("3").doc("Attempts to take a lock before giving up.");

    public static final Option<Duration> CACHE_LOCK_RETRY_INITIAL_DELAY = Option.of(LOCK, SERVE, "cache.lock.retry.initial-delay",
                    "cache-lock-retry-initial-delay", "CACHE_LOCK_RETRY_INITIAL_DELAY", DURATION)
            .defaultValue("100ms").doc("Delay before the second attempt; doubles with each attempt.");

    public static final Option<Duration> CACHE_LOCK_RETRY_MAX_DELAY = Option.of(LOCK, SERVE, "cache.lock.retry.max-delay",
                    "cache-lock-retry-max-delay", "CACHE_LOCK_RETRY_MAX_DELAY", DURATION)
            .defaultValue("2s").doc("Longest delay between attempts.");

    public static final Option<Boolean> CACHE_LOCK_RETRY_JITTER = Option.of(LOCK, SERVE, "cache.lock.retry.jitter",
                    "cache-lock-retry-jitter", "CACHE_LOCK_RETRY_JITTER", BOOLEAN)
            .defaultValue("true").doc("Add up to 50% random jitter to each delay.");

    public static final Option<Boolean> CACHE_LOCK_ALLOW_DEGRADED_MODE = Option.of(LOCK, SERVE, "cache.lock.allow-degraded-mode",
                    "cache-lock-allow-degraded-mode", "CACHE_LOCK_ALLOW_DEGRADED_MODE", BOOLEAN)
            .defaultValue("false").doc("When the lock backend is unreachable, fall back to in-process locks instead of failing.");

    // Deprecated Go flags

    public static final Option<Path> CACHE_DATA_PATH = Option.of(STORAGE, SERVE_AND_MIGRATE, "cache.data-path",
                    "cache-data-path", "CACHE_DATA_PATH", PATH)
            .deprecatedFor(CACHE_STORAGE_LOCAL).doc("Use `cache.storage.local`.");

    public static final Option<UpstreamSpec> UPSTREAM_CACHES = Option.of(UPSTREAM, SERVE, "cache.upstream.caches",
                    "upstream-cache", "UPSTREAM_CACHES", UPSTREAM_URL)
            .list().deprecatedFor(CACHE_UPSTREAM_URLS).doc("Use `cache.upstream.urls`.");

    public static final Option<PublicKey> UPSTREAM_PUBLIC_KEYS = Option.of(UPSTREAM, SERVE, null,
                    "upstream-public-key", "UPSTREAM_PUBLIC_KEYS", PUBLIC_KEY)
            .list().deprecatedFor(CACHE_UPSTREAM_PUBLIC_KEYS).doc("Use `cache.upstream.public-keys`.");

    public static final Option<Duration> UPSTREAM_DIALER_TIMEOUT = Option.of(UPSTREAM, SERVE, null,
                    "upstream-dialer-timeout", "UPSTREAM_DIALER_TIMEOUT", POSITIVE_DURATION)
            .deprecatedFor(CACHE_UPSTREAM_DIALER_TIMEOUT).doc("Use `cache.upstream.dialer-timeout`.");

    public static final Option<Duration> UPSTREAM_RESPONSE_HEADER_TIMEOUT = Option.of(UPSTREAM, SERVE, null,
                    "upstream-response-header-timeout", "UPSTREAM_RESPONSE_HEADER_TIMEOUT", POSITIVE_DURATION)
            .deprecatedFor(CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT).doc("Use `cache.upstream.response-header-timeout`.");

    // Go ncps features that ncps-java does not have: a Go command line, environment or config keeps working.

    private static final String NO_EXTERNAL_XZ = "ncps-java decodes xz in-process and never runs an external xz binary.";
    private static final String NO_ANALYTICS = "ncps-java sends no analytics.";
    private static final String NO_CDC = "ncps-java stores whole NARs; it has no content-defined chunking.";
    private static final String NO_STAGING = "ncps-java instances relay a download in flight from the instance that "
            + "fetches it, without staging objects in storage.";
    private static final String OWN_LOG_FORMAT = "ncps-java writes human-readable lines on a terminal and JSON lines otherwise.";

    public static final Option<Boolean> LOG_CONSOLE_WRITER_ENABLED =
            goOnly(GLOBAL, null, "log-console-writer-enabled", null, BOOLEAN, OWN_LOG_FORMAT);
    public static final Option<String> LOG_CONSOLE_WRITER_PREFIX =
            goOnly(GLOBAL, null, "log-console-writer-prefix", null, STRING, OWN_LOG_FORMAT);
    public static final Option<String> XZ_BINARY_PATH =
            goOnly(GLOBAL, "xz-binary-path", "xz-binary-path", "XZ_BINARY_PATH", STRING, NO_EXTERNAL_XZ);
    public static final Option<Boolean> USE_XZ_BINARY =
            goOnly(GLOBAL, "use-xz-binary", "use-xz-binary", "USE_XZ_BINARY", BOOLEAN, NO_EXTERNAL_XZ);
    public static final Option<Boolean> ANALYTICS_REPORTING_ENABLED = goOnly(GLOBAL, "analytics.reporting.enabled",
            "analytics-reporting-enabled", "ANALYTICS_REPORTING_ENABLED", BOOLEAN, NO_ANALYTICS);
    public static final Option<Boolean> ANALYTICS_REPORTING_SAMPLES =
            goOnly(GLOBAL, null, "analytics-reporting-samples", null, BOOLEAN, NO_ANALYTICS);
    public static final Option<String> PPROF_ADDR = goOnly(SERVE, "pprof.addr", "pprof-addr", "PPROF_ADDR", STRING,
            "ncps-java has no pprof endpoint; profile it with Java Flight Recorder (JFR), e.g. "
                    + "`NCPS_JAVA_OPTS=-XX:StartFlightRecording=duration=60s,filename=ncps.jfr`.");
    public static final Option<Boolean> CACHE_CDC_ENABLED = cdc("enabled", BOOLEAN);
    public static final Option<String> CACHE_CDC_MIN = cdc("min", STRING);
    public static final Option<String> CACHE_CDC_AVG = cdc("avg", STRING);
    public static final Option<String> CACHE_CDC_MAX = cdc("max", STRING);
    public static final Option<Boolean> CACHE_CDC_LAZY_CHUNKING_ENABLED = cdc("lazy-chunking-enabled", BOOLEAN);
    public static final Option<String> CACHE_CDC_BACKGROUND_WORKERS = cdc("background-workers", STRING);
    public static final Option<String> CACHE_CDC_DELETE_DELAY = cdc("delete-delay", STRING);
    public static final Option<String> CACHE_CDC_LAZY_RECOVERY_SCHEDULE = cdc("lazy-recovery-schedule", STRING);
    public static final Option<String> CACHE_CDC_LAZY_RECOVERY_BATCH_SIZE = cdc("lazy-recovery-batch-size", STRING);
    public static final Option<String> CACHE_CDC_LAZY_CLEANUP_SCHEDULE = cdc("lazy-cleanup-schedule", STRING);
    public static final Option<String> CACHE_CDC_CHUNK_WAIT_TIMEOUT = cdc("chunk-wait-timeout", STRING);
    public static final Option<Boolean> CACHE_INFLIGHT_STAGING_ENABLED = staging("enabled", BOOLEAN);
    public static final Option<String> CACHE_INFLIGHT_STAGING_RETENTION = staging("retention", STRING);
    public static final Option<String> CACHE_INFLIGHT_STAGING_PART_SIZE = staging("part-size", STRING);

    private static <T> Option<T> goOnly(Option.Scope scope, String key, String flag, String env, ValueType<T> type,
                                        String instead) {
        return Option.of(Option.Section.GO_ONLY, scope, key, flag, env, type).doc(instead);
    }

    private static <T> Option<T> cdc(String name, ValueType<T> type) {
        return goOnly(SERVE, "cache.cdc." + name, "cache-cdc-" + name, envOf("cache-cdc-" + name), type, NO_CDC);
    }

    private static <T> Option<T> staging(String name, ValueType<T> type) {
        String flag = "cache-inflight-staging-" + name;
        return goOnly(SERVE, "cache.inflight-staging." + name, flag, envOf(flag), type, NO_STAGING);
    }

    private static String envOf(String flag) {
        return flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** Every option, in the order of the reference. */
    public static final List<Option<?>> ALL = List.of(
            CONFIG, LOG_LEVEL, PROMETHEUS_ENABLED, OTEL_ENABLED, OTEL_GRPC_URL,
            SERVER_ADDR, SERVER_DRAIN_TIMEOUT, SERVER_ADVERTISE_URL, SERVER_TRANSPARENT_COMPRESSION, CACHE_HOSTNAME, CACHE_TEMP_PATH, CACHE_DOWNLOAD_POLL_TIMEOUT,
            CACHE_DOWNLOAD_TIME_ALLOWANCE, CACHE_DOWNLOAD_MIN_THROUGHPUT, CACHE_NARINFO_MEMORY,
            CACHE_UPSTREAM_URLS, CACHE_UPSTREAM_PUBLIC_KEYS, CACHE_UPSTREAM_DIALER_TIMEOUT,
            CACHE_UPSTREAM_RESPONSE_HEADER_TIMEOUT, CACHE_UPSTREAM_HEALTH_CHECK_INTERVAL, NETRC_FILE,
            CACHE_STORAGE_LOCAL, CACHE_STORAGE_S3_BUCKET, CACHE_STORAGE_S3_ENDPOINT, CACHE_STORAGE_S3_REGION,
            CACHE_STORAGE_S3_ACCESS_KEY_ID, CACHE_STORAGE_S3_SECRET_ACCESS_KEY, CACHE_STORAGE_S3_FORCE_PATH_STYLE,
            CACHE_STORAGE_S3_CHECKSUM_MODE,
            CACHE_DATABASE_URL, CACHE_DATABASE_POOL_MAX_OPEN_CONNS, CACHE_DATABASE_POOL_MAX_IDLE_CONNS,
            CACHE_SECRET_KEY_PATH, CACHE_SIGN_NARINFO, CACHE_PREVIOUS_SECRET_KEY_PATH, CACHE_PREVIOUS_KEY_UNTIL,
            CACHE_ALLOW_PUT_VERB, CACHE_ALLOW_DELETE_VERB, CACHE_GET_TOKEN, CACHE_UPLOAD_TOKEN, CACHE_ALLOW_UPLOAD_OVERWRITE,
            CACHE_MAX_UPLOAD_SIZE, CACHE_REQUIRE_TRUSTED_SIGNATURE,
            CACHE_TRUSTED_UPLOAD_KEYS,
            CACHE_MAX_SIZE, CACHE_LRU_SCHEDULE, CACHE_LRU_SCHEDULE_TIMEZONE,
            CACHE_REDIS_ADDRS, CACHE_REDIS_USERNAME, CACHE_REDIS_PASSWORD, CACHE_REDIS_DB, CACHE_REDIS_USE_TLS,
            CACHE_REDIS_POOL_SIZE,
            CACHE_LOCK_BACKEND, CACHE_LOCK_REDIS_KEY_PREFIX, CACHE_LOCK_DOWNLOAD_TTL, CACHE_LOCK_LRU_TTL,
            CACHE_LOCK_RETRY_MAX_ATTEMPTS, CACHE_LOCK_RETRY_INITIAL_DELAY, CACHE_LOCK_RETRY_MAX_DELAY,
            CACHE_LOCK_RETRY_JITTER, CACHE_LOCK_ALLOW_DEGRADED_MODE,
            CACHE_DATA_PATH, UPSTREAM_CACHES, UPSTREAM_PUBLIC_KEYS, UPSTREAM_DIALER_TIMEOUT, UPSTREAM_RESPONSE_HEADER_TIMEOUT,
            LOG_CONSOLE_WRITER_ENABLED, LOG_CONSOLE_WRITER_PREFIX, XZ_BINARY_PATH, USE_XZ_BINARY,
            ANALYTICS_REPORTING_ENABLED, ANALYTICS_REPORTING_SAMPLES, PPROF_ADDR,
            CACHE_CDC_ENABLED, CACHE_CDC_MIN, CACHE_CDC_AVG, CACHE_CDC_MAX, CACHE_CDC_LAZY_CHUNKING_ENABLED,
            CACHE_CDC_BACKGROUND_WORKERS, CACHE_CDC_DELETE_DELAY, CACHE_CDC_LAZY_RECOVERY_SCHEDULE,
            CACHE_CDC_LAZY_RECOVERY_BATCH_SIZE, CACHE_CDC_LAZY_CLEANUP_SCHEDULE, CACHE_CDC_CHUNK_WAIT_TIMEOUT,
            CACHE_INFLIGHT_STAGING_ENABLED, CACHE_INFLIGHT_STAGING_RETENTION, CACHE_INFLIGHT_STAGING_PART_SIZE);

    /**
     * Keys of the Go ncps that configure features ncps-java does not have (analytics, CDC,
     * in-flight staging, pprof, the external xz). A Go config keeps loading: they are ignored with a warning.
     * An entry ending in '.' covers every key under it.
     */
    public static final List<String> IGNORED_GO_KEYS = List.of(
            "analytics.", "pprof.", "xz-binary-path", "use-xz-binary", "concurrency",
            "cache.cdc.", "cache.inflight-staging.", "cache.fsck.");

    /** The options a command accepts. */
    public static List<Option<?>> forScopes(Option.Scope... scopes) {
        List<Option.Scope> wanted = List.of(scopes);
        return ALL.stream().filter(o -> wanted.contains(o.scope())).toList();
    }
}
