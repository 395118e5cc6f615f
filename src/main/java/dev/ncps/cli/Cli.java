package dev.ncps.cli;

import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.LogLevel;
import dev.ncps.config.Loaded;
import dev.ncps.config.Option;
import dev.ncps.config.Suggestions;
import dev.ncps.config.DatabaseUrl;
import dev.ncps.config.GoDuration;
import dev.ncps.config.Options;
import dev.ncps.config.StorageConfig;
import dev.ncps.ops.ConfigCheck;
import dev.ncps.ops.ExitCodes;
import dev.ncps.ops.Fsck;
import dev.ncps.ops.FsckCommand;
import dev.ncps.ops.GoImportCommand;
import dev.ncps.ops.MigrateDb;
import dev.ncps.ops.MigrateDbCommand;
import dev.ncps.ops.MigrateStorageCommand;
import dev.ncps.ops.PinCommand;
import dev.ncps.ops.ResignCommand;
import dev.ncps.ops.Keygen;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Parses the command line, loads and validates the configuration and runs the chosen command.
 * Exit codes: 0 success, 1 a command failed, 2 bad usage or configuration.
 */
public final class Cli {
    public static final int USAGE = ExitCodes.USAGE;
    public static final int FAILED = ExitCodes.PROBLEMS;

    private static final Logger LOG = LoggerFactory.getLogger(Cli.class);

    private final ServeAction serve;
    private final MigrateAction migrate;
    private final ConfigLoader loader;
    private final Consumer<LogLevel> logSetup;
    private final PrintStream out;
    private final PrintStream err;
    /** Progress is a redrawn bar on a terminal, plain periodic lines otherwise (logs, CI, cron). */
    private final boolean terminal = System.console() != null && System.console().isTerminal();

    /**
     * @param logSetup configures logging once the level is known (before any action runs)
     */
    public Cli(ServeAction serve, MigrateAction migrate, ConfigLoader loader, Consumer<LogLevel> logSetup,
               PrintStream out, PrintStream err) {
        this.serve = serve;
        this.migrate = migrate;
        this.loader = loader;
        this.logSetup = logSetup;
        this.out = out;
        this.err = err;
    }

    public int run(String... args) {
        CommandLine commandLine = Commands.build(Version.current());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            err.println(e.getMessage() + didYouMean(e));
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return 0;
        }
        ParseResult command = parsed.subcommand();
        if (command == null) {
            commandLine.usage(err);
            return USAGE;
        }
        Map<Option<?>, List<String>> flags = Commands.flagValues(parsed);
        try {
            return switch (command.commandSpec().name()) {
                case Commands.SERVE -> start(loader.serve(flags), serve::run);
                case Commands.MIGRATE -> migrate(command, flags);
                case Commands.FSCK -> fsck(command, flags);
                case Commands.MIGRATE_DB -> migrateDb(command, flags);
                case Commands.MIGRATE_STORAGE -> migrateStorage(command, flags);
                case Commands.RESIGN -> start(loader.maintenance(flags), config -> ResignCommand.run(config, out, err, terminal));
                case Commands.CONFIG -> {
                    ParseResult check = command.subcommand();
                    if (check == null) {
                        command.commandSpec().commandLine().usage(err);
                        yield USAGE;
                    }
                    boolean offline = check.hasMatchedOption(Commands.OFFLINE);
                    yield start(loader.check(flags), checked -> new ConfigCheck(out).run(checked, offline));
                }
                case Commands.IMPORT_GO -> {
                    DatabaseUrl go = DatabaseUrl.parseFlag(Commands.GO_DATABASE_URL, command.matchedOptionValue(Commands.GO_DATABASE_URL, ""));
                    boolean dryRun = command.hasMatchedOption(Commands.DRY_RUN);
                    yield start(loader.maintenance(flags), config -> new GoImportCommand(out, err, terminal).run(config, go, dryRun));
                }
                case Commands.PIN, Commands.UNPIN, Commands.PINS -> pinCommand(command);
                case Commands.KEYGEN -> new Keygen(out, err).run(command.matchedPositional(0).getValue(),
                        path(command, Commands.SECRET_FILE), path(command, Commands.PUBLIC_FILE));
                default -> throw new IllegalStateException("no action for " + command.commandSpec().name());
            };
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return USAGE;
        }
    }

    /** For a mistyped flag, the closest one the command has (as unknown config keys get). */
    private static String didYouMean(CommandLine.ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched)) {
            return "";
        }
        var known = e.getCommandLine().getCommandSpec().optionsMap().keySet();
        return unmatched.getUnmatched().stream()
                .filter(arg -> arg.startsWith("--"))
                .map(arg -> arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg)
                .map(flag -> Suggestions.closest(flag, known))
                .flatMap(java.util.Optional::stream)
                .findFirst()
                .map(flag -> " (did you mean " + flag + "?)")
                .orElse("");
    }

    private int migrate(ParseResult command, Map<Option<?>, List<String>> flags) throws ConfigException {
        ParseResult up = command.subcommand();
        if (up == null) {
            command.commandSpec().commandLine().usage(err);
            return USAGE;
        }
        return start(loader.migrate(flags, up.hasMatchedOption(Commands.DRY_RUN)), migrate::run);
    }

    private int fsck(ParseResult command, Map<Option<?>, List<String>> flags) throws ConfigException {
        if (command.hasMatchedOption(Commands.REPAIR) && command.hasMatchedOption(Commands.DRY_RUN)) {
            throw new ConfigException("--repair and --dry-run exclude each other");
        }
        int concurrency = command.matchedOptionValue(Commands.CONCURRENCY, 4);
        if (concurrency < 1) {
            throw new ConfigException("invalid value for " + Commands.CONCURRENCY + ": '" + concurrency + "': expected a whole number >= 1");
        }
        Fsck.Settings settings = new Fsck.Settings(command.hasMatchedOption(Commands.REPAIR),
                command.hasMatchedOption(Commands.VERIFY_CONTENT),
                GoDuration.parseFlag(Commands.VERIFIED_SINCE, command.matchedOptionValue(Commands.VERIFIED_SINCE, "0")),
                GoDuration.parseFlag(Commands.GRACE, command.matchedOptionValue(Commands.GRACE, "1h")), concurrency);
        return start(loader.maintenance(flags), config -> new FsckCommand(out, err, terminal).run(config, settings));
    }

    private int migrateDb(ParseResult command, Map<Option<?>, List<String>> flags) throws ConfigException {
        DatabaseUrl from = DatabaseUrl.parseFlag(Commands.FROM, command.matchedOptionValue(Commands.FROM, ""));
        DatabaseUrl to = DatabaseUrl.parseFlag(Commands.TO, command.matchedOptionValue(Commands.TO, ""));
        int batchSize = command.matchedOptionValue(Commands.BATCH_SIZE, 500);
        if (batchSize < 1) {
            throw new ConfigException("invalid value for " + Commands.BATCH_SIZE + ": '" + batchSize + "': expected a whole number >= 1");
        }
        MigrateDb.Settings settings = new MigrateDb.Settings(batchSize, command.hasMatchedOption(Commands.RESUME));
        return start(loader.global(flags), ignored -> new MigrateDbCommand(out, err, terminal).run(from, to, settings));
    }

    private int migrateStorage(ParseResult command, Map<Option<?>, List<String>> flags) throws ConfigException {
        String from = command.matchedOptionValue(Commands.FROM, "");
        String to = command.matchedOptionValue(Commands.TO, "");
        int concurrency = command.matchedOptionValue(Commands.CONCURRENCY, 4);
        if (concurrency < 1) {
            throw new ConfigException("invalid value for " + Commands.CONCURRENCY + ": '" + concurrency + "': expected a whole number >= 1");
        }
        StorageConfig source = storage(Commands.FROM, from, flags);
        StorageConfig target = storage(Commands.TO, to, flags);
        if (source.equals(target)) {
            throw new ConfigException(Commands.FROM + " and " + Commands.TO + " name the same storage: " + from);
        }
        return start(loader.global(flags), ignored -> MigrateStorageCommand.run(source, target, concurrency, out, err, terminal));
    }

    private int pinCommand(ParseResult command) {
        // findOption: the values include the defaults, which read NCPS_URL and NCPS_TOKEN.
        URI server = PinCommand.serverUrl(command.commandSpec().findOption(Commands.URL).getValue(), err);
        if (server == null) {
            return USAGE;
        }
        PinCommand pins = new PinCommand(server, command.commandSpec().findOption(Commands.TOKEN).getValue(), out, err, Duration.ofSeconds(1));
        return switch (command.commandSpec().name()) {
            case Commands.PIN -> pins.pin(command.matchedPositional(0).getValue(), command.hasMatchedOption(Commands.WAIT));
            case Commands.UNPIN -> pins.unpin(command.matchedPositional(0).getValue());
            default -> pins.list();
        };
    }

    /** {@code local:DIR}, or {@code s3://BUCKET} with the connection from the cache.storage.s3.* options. */
    private StorageConfig storage(String flag, String text, Map<Option<?>, List<String>> flags) throws ConfigException {
        if (text.startsWith("local:") && text.length() > "local:".length()) {
            return new StorageConfig.Local(Path.of(text.substring("local:".length())).toAbsolutePath().normalize());
        }
        if (text.startsWith("s3://") && text.length() > "s3://".length() && !text.substring(5).contains("/")) {
            Map<Option<?>, List<String>> withBucket = new java.util.HashMap<>(flags);
            withBucket.put(Options.CACHE_STORAGE_S3_BUCKET, List.of(text.substring(5)));
            return loader.storage(withBucket).config();
        }
        throw new ConfigException("invalid value for " + flag + ": '" + text + "': expected local:/path/to/storage or s3://bucket");
    }

    private interface Action<T> {
        int run(T config) throws Exception;
    }

    private <T> int start(Loaded<T> loaded, Action<T> action) {
        logSetup.accept(loaded.logLevel());
        loaded.warnings().forEach(LOG::warn);
        try {
            return action.run(loaded.config());
        } catch (StartupFailure e) {
            logFailure("ncps cannot start: " + e.getMessage(), e);
        } catch (Exception e) {
            logFailure("ncps stopped: " + e, e);
        }
        return FAILED;
    }

    /** One line for the operator; the stack trace is for developers, so only at debug level. */
    private static void logFailure(String line, Exception e) {
        if (LOG.isDebugEnabled()) {
            LOG.error(line, e);
        } else {
            LOG.error(line);
        }
    }

    private static Optional<Path> path(ParseResult command, String option) {
        return Optional.ofNullable(command.<String>matchedOptionValue(option, null)).map(Path::of);
    }
}
