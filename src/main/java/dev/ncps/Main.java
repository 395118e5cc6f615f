package dev.ncps;

import dev.ncps.app.MigrateCommand;
import dev.ncps.app.ServeCommand;
import dev.ncps.cli.Cli;
import dev.ncps.cli.Logging;
import dev.ncps.cli.MigrateAction;
import dev.ncps.cli.ServeAction;
import dev.ncps.config.ConfigLoader;

/**
 * Entry point of the {@code ncps} executable: gives the command line ({@code cli}) the commands' actions
 * ({@code app}) and exits with their code. It sits above both so that {@code app} may implement the
 * actions {@code cli} declares without either package depending on the other in a cycle.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        ServeAction serve = new ServeCommand();
        MigrateAction migrate = new MigrateCommand(System.out);
        Cli cli = new Cli(serve, migrate, ConfigLoader.forThisProcess(), Logging::configure, System.out, System.err);
        int code;
        try {
            code = cli.run(args);
        } finally {
            Logging.flush();
        }
        System.exit(code);
    }
}
