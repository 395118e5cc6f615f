package dev.ncps.cli;

import dev.ncps.config.Option;
import dev.ncps.config.Option.Scope;
import dev.ncps.config.Options;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command tree, built from {@link Options} so every flag, its help and its env var come from the one
 * declaration. Values stay text here; {@link dev.ncps.config.ConfigLoader} parses them with the same rules
 * as env vars and the config file.
 */
final class Commands {
    static final String SERVE = "serve";
    static final String MIGRATE = "migrate";
    static final String UP = "up";
    static final String KEYGEN = "keygen";
    static final String DRY_RUN = "--dry-run";
    static final String SECRET_FILE = "--secret-file";
    static final String PUBLIC_FILE = "--public-file";
    static final String FSCK = "fsck";
    static final String REPAIR = "--repair";
    static final String VERIFY_CONTENT = "--verify-content";
    static final String VERIFIED_SINCE = "--verified-since";
    static final String CONCURRENCY = "--concurrency";
    static final String GRACE = "--grace";
    static final String MIGRATE_DB = "migrate-db";
    static final String FROM = "--from";
    static final String TO = "--to";
    static final String RESUME = "--resume";
    static final String BATCH_SIZE = "--batch-size";
    static final String IMPORT_GO = "import-go";
    static final String GO_DATABASE_URL = "--go-database-url";
    static final String CONFIG = "config";
    static final String CHECK = "check";
    static final String OFFLINE = "--offline";
    static final String MIGRATE_STORAGE = "migrate-storage";
    static final String RESIGN = "resign";
    static final String PIN = "pin";
    static final String UNPIN = "unpin";
    static final String PINS = "pins";
    static final String URL = "--url";
    static final String TOKEN = "--token";
    static final String WAIT = "--wait";
    /** The Go ncps's default listen address, on this host. */
    static final String DEFAULT_URL = "http://localhost:8501";

    private Commands() {}

    static CommandLine build(String version) {
        CommandSpec root = command("ncps", "Nix Cache Proxy Server: a caching proxy for Nix binary caches.");
        root.version("ncps " + version);
        addOptions(root, Scope.GLOBAL);

        CommandSpec serve = command(SERVE, "Run the cache proxy.");
        serve.aliases("s");
        addOptions(serve, Scope.GLOBAL, Scope.SERVE, Scope.SERVE_AND_MIGRATE);

        CommandSpec up = command(UP, "Bring the database schema up to date.");
        addOptions(up, Scope.GLOBAL, Scope.SERVE_AND_MIGRATE);
        up.addOption(OptionSpec.builder(DRY_RUN).arity("0").type(boolean.class)
                .description("Show the applied and pending migrations without changing anything.").build());
        CommandSpec migrate = command(MIGRATE, "Database schema migrations.");
        migrate.addSubcommand(UP, up);

        CommandSpec keygen = command(KEYGEN, "Create a new Nix signing key pair. Without --secret-file the secret key "
                + "is the only line on stdout (ncps keygen NAME > key.sec works) and the public key goes to stderr.");
        keygen.addPositional(PositionalParamSpec.builder().paramLabel("NAME").index("0").arity("1").required(true).type(String.class)
                .description("Key name, e.g. cache.example.com-1.").build());
        keygen.addOption(OptionSpec.builder(SECRET_FILE).paramLabel("<file>").type(String.class)
                .description("Write the secret key to this new file (mode 0600), the format --cache-secret-key-path reads; "
                        + "stdout then shows the public key.").build());
        keygen.addOption(OptionSpec.builder(PUBLIC_FILE).paramLabel("<file>").type(String.class)
                .description("Write the public key to this new file.").build());

        CommandSpec fsck = command(FSCK, "Check that the index and the storage agree; --repair makes them agree again. "
                + "Safe while serve runs.");
        addMaintenanceOptions(fsck);
        fsck.addOption(flag(REPAIR, "Repair what is found: remove dangling index rows, adopt or delete unindexed objects."));
        fsck.addOption(flag(DRY_RUN, "Only report (the default without --repair)."));
        fsck.addOption(flag(VERIFY_CONTENT, "Also read every object and check its FileHash, or decompressed its NarHash and NarSize."));
        fsck.addOption(OptionSpec.builder(VERIFIED_SINCE).paramLabel("<duration>").type(String.class)
                .description("With --verify-content, skip objects stored within this period (they were verified as they "
                        + "were stored), e.g. 168h. Default 0: verify all.").build());
        fsck.addOption(OptionSpec.builder(CONCURRENCY).paramLabel("<n>").type(int.class).defaultValue("4")
                .description("Objects verified in parallel (default 4).").build());
        fsck.addOption(OptionSpec.builder(GRACE).paramLabel("<duration>").type(String.class).defaultValue("1h")
                .description("Leave unindexed objects younger than this alone: their index row may be on its way (default 1h).").build());

        CommandSpec migrateDb = command(MIGRATE_DB, "Copy the whole index to another database (SQLite, PostgreSQL, "
                + "MySQL/MariaDB, any direction) and verify the copy. Stop serve first.");
        addOptions(migrateDb, Scope.GLOBAL);
        migrateDb.addOption(OptionSpec.builder(FROM).paramLabel("<database-URL>").type(String.class).required(true)
                .description("Database to copy from; only read. E.g. sqlite:/var/lib/ncps/db/db.sqlite").build());
        migrateDb.addOption(OptionSpec.builder(TO).paramLabel("<database-URL>").type(String.class).required(true)
                .description("Database to copy into; must be empty unless --resume. E.g. postgresql://ncps:pw@db:5432/ncps").build());
        migrateDb.addOption(flag(RESUME, "Continue an interrupted copy into a target that already holds part of it."));
        migrateDb.addOption(OptionSpec.builder(BATCH_SIZE).paramLabel("<n>").type(int.class).defaultValue("500")
                .description("Rows per transaction (default 500).").build());

        CommandSpec importGo = command(IMPORT_GO, "Take over a Go ncps deployment: its signing key and narinfos into the "
                + "ncps-java database, adopting its NAR objects in place. The Go database is only read.");
        addMaintenanceOptions(importGo);
        importGo.addOption(OptionSpec.builder(GO_DATABASE_URL).paramLabel("<database-URL>").type(String.class).required(true)
                .description("The Go ncps database, e.g. sqlite:/var/lib/ncps/db/db.sqlite; only read.").build());
        importGo.addOption(flag(DRY_RUN, "Show what would be imported and what cannot be, without writing anything."));

        CommandSpec check = command(CHECK, "Validate the configuration as serve would, print every value with where it "
                + "came from (secrets masked), and check that database, storage, locks and upstreams are reachable.");
        addOptions(check, Scope.GLOBAL, Scope.SERVE, Scope.SERVE_AND_MIGRATE);
        check.addOption(flag(OFFLINE, "Skip the reachability checks."));
        CommandSpec config = command(CONFIG, "Configuration tools.");
        config.addSubcommand(CHECK, check);

        CommandSpec migrateStorage = command(MIGRATE_STORAGE, "Copy every object between a local folder and an S3 bucket "
                + "(either direction), skipping objects already there with the same size. S3 connection settings come "
                + "from the cache.storage.s3.* options.");
        addOptions(migrateStorage, Scope.GLOBAL);
        for (Option<?> option : Options.forScopes(Scope.SERVE_AND_MIGRATE)) {
            if (option.flag().startsWith("cache-storage-s3-") && !option.flag().equals("cache-storage-s3-bucket")) {
                addOption(migrateStorage, option);
            }
        }
        migrateStorage.addOption(OptionSpec.builder(FROM).paramLabel("<storage>").type(String.class).required(true)
                .description("local:/path/to/storage or s3://bucket").build());
        migrateStorage.addOption(OptionSpec.builder(TO).paramLabel("<storage>").type(String.class).required(true)
                .description("local:/path/to/storage or s3://bucket").build());
        migrateStorage.addOption(OptionSpec.builder(CONCURRENCY).paramLabel("<n>").type(int.class).defaultValue("4")
                .description("Objects copied in parallel (default 4).").build());

        CommandSpec resign = command(RESIGN, "Sign every stored narinfo again with the configured key (and, during a key "
                + "rotation, the previous key). Run it after switching keys.");
        addMaintenanceOptions(resign);
        for (Option<?> option : Options.ALL) {
            if (option.scope() == Scope.SERVE && option.section() == Option.Section.SIGNING) {
                addOption(resign, option);
            }
        }

        CommandSpec pin = serverCommand(PIN, "Pin a store path's closure on a running server: it is fetched whole (what "
                + "the cache lacks comes from the upstreams) and never evicted by LRU.");
        pin.addPositional(storePath());
        pin.addOption(flag(WAIT, "Return only once the whole closure is fetched; exit 1 if it cannot be."));
        CommandSpec unpin = serverCommand(UNPIN, "Remove a pin from a running server; its paths become ordinary cache entries.");
        unpin.addPositional(storePath());
        CommandSpec pins = serverCommand(PINS, "List the pinned closures of a running server with their state.");

        root.addSubcommand(SERVE, serve);
        root.addSubcommand(MIGRATE, migrate);
        root.addSubcommand(KEYGEN, keygen);
        root.addSubcommand(FSCK, fsck);
        root.addSubcommand(MIGRATE_DB, migrateDb);
        root.addSubcommand(IMPORT_GO, importGo);
        root.addSubcommand(CONFIG, config);
        root.addSubcommand(MIGRATE_STORAGE, migrateStorage);
        root.addSubcommand(RESIGN, resign);
        root.addSubcommand(PIN, pin);
        root.addSubcommand(UNPIN, unpin);
        root.addSubcommand(PINS, pins);
        return new CommandLine(root);
    }

    /** Storage, database and locks, read exactly as serve reads them, so the command acts on serve's cache. */
    private static void addMaintenanceOptions(CommandSpec command) {
        addOptions(command, Scope.GLOBAL, Scope.SERVE_AND_MIGRATE);
        for (Option<?> option : Options.ALL) {
            if (option.scope() == Scope.SERVE && (option.section() == Option.Section.LOCK || option.section() == Option.Section.REDIS)) {
                addOption(command, option);
            }
        }
    }

    /** A command that talks to a running server over HTTP, with the server's URL and a token. */
    private static CommandSpec serverCommand(String name, String description) {
        CommandSpec command = command(name, description);
        command.addOption(OptionSpec.builder(URL).paramLabel("<url>").type(String.class).defaultValue("${env:NCPS_URL:-" + DEFAULT_URL + "}")
                .description("The server (env NCPS_URL, default " + DEFAULT_URL + ").").build());
        command.addOption(OptionSpec.builder(TOKEN).paramLabel("<token>").type(String.class).defaultValue("${env:NCPS_TOKEN}")
                .description("The server's upload token (or its get token when only that is set); env NCPS_TOKEN. "
                        + "Not needed when the server has no token.").build());
        return command;
    }

    private static PositionalParamSpec storePath() {
        return PositionalParamSpec.builder().paramLabel("PATH").index("0").arity("1").required(true).type(String.class)
                .description("A store path (/nix/store/<hash>-<name>), its base name or its 32-character hash.").build();
    }

    private static OptionSpec flag(String name, String description) {
        return OptionSpec.builder(name).arity("0").type(boolean.class).description(description).build();
    }

    private static CommandSpec command(String name, String description) {
        CommandSpec spec = CommandSpec.create().name(name).mixinStandardHelpOptions(true);
        spec.usageMessage().description(description).sortOptions(false).abbreviateSynopsis(true);
        return spec;
    }

    private static void addOptions(CommandSpec command, Scope... scopes) {
        for (Option<?> option : Options.forScopes(scopes)) {
            addOption(command, option);
        }
    }

    private static void addOption(CommandSpec command, Option<?> option) {
        OptionSpec.Builder builder = OptionSpec.builder("--" + option.flag())
                .paramLabel("<" + option.type().name().replace(' ', '-') + ">")
                .description(help(option))
                .hidden(option.deprecated() || option.goOnly());
        if (option.repeatable()) {
            builder.type(List.class).auxiliaryTypes(String.class).arity("1");
        } else if (option.type().name().equals("bool")) {
            // Go's bool flags: "--flag" means true, "--flag=false" turns it off
            builder.type(String.class).arity("0..1").fallbackValue("true");
        } else {
            builder.type(String.class).arity("1");
        }
        command.addOption(builder.build());
    }

    private static String[] help(Option<?> option) {
        List<String> lines = new ArrayList<>();
        lines.add(option.doc());
        StringBuilder where = new StringBuilder();
        if (option.env() != null) {
            where.append("env ").append(option.env());
        }
        if (option.key() != null) {
            where.append(where.isEmpty() ? "" : ", ").append("key ").append(option.key());
        }
        if (option.defaultValue() != null && !option.defaultValue().isEmpty()) {
            where.append(", default ").append(option.defaultValue());
        } else if (option.defaultDoc() != null) {
            where.append(", default ").append(option.defaultDoc().replace("`", ""));
        }
        if (option.repeatable()) {
            where.append("; repeatable");
        }
        lines.add("(" + where + ")");
        // picocli treats descriptions as format strings with ${...} variables
        return lines.stream().map(line -> line.replace("%", "%%").replace("${", "$${")).toArray(String[]::new);
    }

    /** The option values given on the command line, at any level of the command chain (deeper wins). */
    static Map<Option<?>, List<String>> flagValues(ParseResult result) {
        Map<String, Option<?>> byFlag = new HashMap<>();
        Options.ALL.forEach(o -> byFlag.put("--" + o.flag(), o));
        Map<Option<?>, List<String>> values = new HashMap<>();
        for (ParseResult level = result; level != null; level = level.subcommand()) {
            for (OptionSpec matched : level.matchedOptions()) {
                Option<?> option = byFlag.get(matched.longestName());
                if (option != null) {
                    values.put(option, texts(matched.getValue()));
                }
            }
        }
        return values;
    }

    private static List<String> texts(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }
}
