package dev.ncps.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.ncps.testing.Installer;
import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;

/**
 * podman with runc (crun cannot run containers on these machines), and the images the container tests share: the
 * debootstrap base and the ncps image of scripts/build-image.sh, each built once per JVM.
 */
final class Podman {
    static final List<String> COMMAND = List.of("podman", "--runtime", "runc");
    private static String base;
    private static String ncps;

    private Podman() {}

    /** localhost/debian-min:bookworm, from scripts/container/base-image.sh. */
    static synchronized String baseImage(Path work) {
        if (base == null) {
            Installer.ensure("podman");
            base = lastLine(script(work, Duration.ofMinutes(15), "scripts/container/base-image.sh"));
        }
        return base;
    }

    /** ncps:&lt;version&gt;, from scripts/build-image.sh on the base image. */
    static synchronized String ncpsImage(Path work) {
        if (ncps == null) {
            ncps = lastLine(script(work, Duration.ofMinutes(10), "scripts/build-image.sh", "--base", baseImage(work), "--runtime", "runc"));
        }
        return ncps;
    }

    /** Runs a script of the repository and requires success. */
    static Processes.Completed script(Path work, Duration timeout, String script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(TestDirs.repoRoot().resolve(script).toString());
        command.addAll(List.of(args));
        return Processes.run(Path.of(script).getFileName().toString(), command, Map.of(), work, timeout)
                .requireSuccess(String.join(" ", command));
    }

    /** {@code podman --runtime runc args...}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(COMMAND);
        command.addAll(List.of(args));
        return command;
    }

    /** The last line of a command's output that is not one of podman's log lines (time="..." level=...). */
    static String lastLine(Processes.Completed completed) {
        List<String> lines = outputLines(completed);
        assertThat(lines).as("output of %s", completed.log()).isNotEmpty();
        return lines.getLast();
    }

    /** The lines of a command's output without blank lines and podman's log lines (time="..." level=...). */
    static List<String> outputLines(Processes.Completed completed) {
        return completed.output().lines().filter(l -> !l.isBlank() && !l.startsWith("time=")).map(String::strip).toList();
    }
}
