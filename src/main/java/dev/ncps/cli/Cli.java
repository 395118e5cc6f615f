package dev.ncps.cli;

import dev.ncps.config.ConfigException;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.LogLevel;
import dev.ncps.config.Loaded;
import dev.ncps.config.Option;
import dev.ncps.config.Suggestions;
import dev.ncps.nix.SecretKey;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
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
    public static final int USAGE = 2;
    public static final int FAILED = 1;

    private static final Logger LOG = LoggerFactory.getLogger(Cli.class);

    private final ServeAction serve;
    private final MigrateAction migrate;
    private final ConfigLoader loader;
    private final Consumer<LogLevel> logSetup;
    private final PrintStream out;
    private final PrintStream err;

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
                case Commands.KEYGEN -> keygen(command.matchedPositional(0).getValue());
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

    private int keygen(String name) {
        if (name.isEmpty() || name.contains(":") || name.chars().anyMatch(Character::isWhitespace)) {
            err.println("invalid key name '" + name + "': expected a name without ':' or spaces, e.g. cache.example.com-1");
            return USAGE;
        }
        SecretKey key = SecretKey.generate(name);
        out.println(key.toNixString());
        out.println(key.publicKey().toNixString());
        return 0;
    }
}
