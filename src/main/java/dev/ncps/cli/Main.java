package dev.ncps.cli;

import dev.ncps.app.MigrateCommand;
import dev.ncps.app.ServeCommand;
import dev.ncps.config.ConfigLoader;

/** Entry point of the {@code ncps} executable: wires the commands' actions and exits with their code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        ServeAction serve = new ServeCommand();
        MigrateAction migrate = new MigrateCommand(System.out);
        Cli cli = new Cli(serve, migrate, ConfigLoader.forThisProcess(), Logging::configure, System.out, System.err);
        System.exit(cli.run(args));
    }
}
