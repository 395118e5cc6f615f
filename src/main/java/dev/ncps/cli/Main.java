package dev.ncps.cli;

import dev.ncps.config.ConfigLoader;

/** Entry point of the {@code ncps} executable: wires the commands' actions and exits with their code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        ServeAction serve = config -> notWired("serve");
        MigrateAction migrate = config -> notWired("migrate up");
        Cli cli = new Cli(serve, migrate, ConfigLoader.forThisProcess(), Logging::configure, System.out, System.err);
        System.exit(cli.run(args));
    }

    private static int notWired(String command) {
        System.err.println(command + " is not wired yet");
        return 1;
    }
}
