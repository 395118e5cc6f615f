package dev.ncps.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Installs the Debian packages a fixture needs through scripts/install-test-deps.sh, once per JVM each. */
public final class Installer {
    /* Remembers what this JVM already ensured, so fixtures can call ensure() on every start for free. */
    private static final Set<String> ENSURED = ConcurrentHashMap.newKeySet();

    private Installer() {}

    /** Makes sure {@code component} (nix, redis, haproxy, nginx, postgresql, mariadb) is installed. */
    public static void ensure(String component) {
        if (ENSURED.contains(component)) {
            return;
        }
        var script = TestDirs.repoRoot().resolve("scripts/install-test-deps.sh");
        Processes.run("install-" + component, List.of(script.toString(), component), Map.of(), TestDirs.repoRoot(),
                Duration.ofMinutes(10)).requireSuccess("scripts/install-test-deps.sh " + component);
        ENSURED.add(component);
    }
}
