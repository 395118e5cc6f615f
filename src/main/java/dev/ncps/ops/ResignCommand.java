package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.MaintenanceConfig;
import dev.ncps.index.Index;

import java.io.PrintStream;
import java.time.Clock;

/** {@code ncps resign}: the signing settings serve uses, applied to every stored narinfo. */
public final class ResignCommand {
    private ResignCommand() {}

    public static int run(MaintenanceConfig config, PrintStream out, PrintStream err, boolean terminal) throws Exception {
        if (!config.signing().signNarinfo()) {
            err.println("cache.sign-narinfo is false: serve adds no signature, so there is nothing to sign again");
            return ExitCodes.USAGE;
        }
        try (Index index = Backends.openIndex(config.database())) {
            var signer = Backends.signer(config.signing(), Backends.signingKey(config.signing(), index));
            new Resign(index, signer, out, err, terminal, Clock.systemUTC()).run();
            return ExitCodes.OK;
        }
    }
}
