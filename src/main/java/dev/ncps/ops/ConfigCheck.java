package dev.ncps.ops;

import dev.ncps.app.Backends;
import dev.ncps.config.ConfigLoader;
import dev.ncps.config.ServeConfig;
import dev.ncps.config.Setting;
import dev.ncps.index.Index;
import dev.ncps.index.MigrationReport;
import dev.ncps.lock.LockListener;
import dev.ncps.lock.Locks;
import dev.ncps.nix.SecretKey;
import dev.ncps.store.Store;
import dev.ncps.upstream.UpstreamSpec;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ncps config check}: the configuration serve would run with (already validated by the loader, or
 * this would not run), every option with its value and origin, secrets masked; then, unless offline,
 * whether what it names can be reached: the database (schema state, read only), the storage, the lock
 * backend, each upstream's {@code nix-cache-info}, and the secret key file.
 */
public final class ConfigCheck {
    private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(10);

    private final PrintStream out;

    public ConfigCheck(PrintStream out) {
        this.out = out;
    }

    public int run(ConfigLoader.Checked checked, boolean offline) {
        out.println("configuration is valid; effective values (secrets masked):");
        int width = checked.settings().stream().mapToInt(s -> s.option().key().length()).max().orElse(20);
        int valueWidth = Math.min(48, checked.settings().stream().mapToInt(s -> s.display().length()).max().orElse(10));
        for (Setting setting : checked.settings()) {
            out.println(String.format("  %-" + width + "s  %-" + valueWidth + "s  %s", setting.option().key(),
                    setting.display().isEmpty() ? "-" : setting.display(), setting.origin()));
        }
        if (offline) {
            out.println("result: valid (reachability not checked: --offline)");
            return ExitCodes.OK;
        }
        out.println("reachability:");
        List<String> failures = new ArrayList<>();
        ServeConfig config = checked.config();
        check("database " + config.database().url(), failures, () -> {
            MigrationReport schema = Index.migrate(config.database().index().withMigrateOnOpen(false), true);
            return "reachable; " + schema.previouslyApplied().size() + " migrations applied, " + schema.pending().size()
                    + " pending (serve applies them)";
        });
        check("storage " + config.storage(), failures, () -> {
            try (Store store = Backends.openStore(config.storage())) {
                store.exists("store/nar/ncps-config-check");
                return "reachable";
            }
        });
        check("locks " + config.lock().backend().name().toLowerCase(java.util.Locale.ROOT), failures, () -> {
            List<AutoCloseable> opened = new ArrayList<>();
            try (Locks locks = Backends.openLocks(config.lock(), config.database(), LockListener.NONE, resource -> {
                if (resource instanceof AutoCloseable closeable && !(resource instanceof Locks)) opened.add(closeable);
                return resource;
            })) {
                return "reachable (" + locks.mode() + ")";
            } finally {
                for (AutoCloseable resource : opened) resource.close();
            }
        });
        config.signing().secretKeyPath().ifPresent(path -> check("secret key file " + path, failures,
                () -> "holds key " + SecretKey.parse(Files.readString(path).strip()).name()));
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(UPSTREAM_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build()) {
            for (UpstreamSpec upstream : config.upstream().upstreams()) {
                URI info = URI.create(upstream.url().toString().replaceAll("/+$", "") + "/nix-cache-info");
                check("upstream " + upstream.url(), failures, () -> {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(info).timeout(UPSTREAM_TIMEOUT).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) throw new IllegalStateException("nix-cache-info answered " + response.statusCode());
                    return "nix-cache-info 200";
                });
            }
        }
        if (failures.isEmpty()) {
            out.println("result: valid, everything reachable");
            return ExitCodes.OK;
        }
        out.println("result: valid, but " + failures.size() + " unreachable: " + String.join("; ", failures));
        return ExitCodes.PROBLEMS;
    }

    @FunctionalInterface
    private interface Probe {
        String run() throws Exception;
    }

    private void check(String what, List<String> failures, Probe probe) {
        try {
            out.println("  ok      " + what + ": " + probe.run());
        } catch (Exception e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            out.println("  FAILED  " + what + ": " + reason);
            failures.add(what);
        }
    }
}
