package dev.ncps.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.ncps.testing.Processes;
import dev.ncps.testing.TestDirs;

/** The runtime bundle {@code ./mvnw package} wrote, target/ncps-<version>-linux-<arch>.tar.gz. */
record RuntimeBundle(Path archive) {
    /** The one bundle under target/; fails clearly when the build did not make it. */
    static RuntimeBundle built() {
        try (Stream<Path> files = Files.list(TestDirs.target())) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().matches("ncps-.+-linux-[a-z0-9_]+\\.tar\\.gz"))
                    .toList();
            if (archives.size() != 1) {
                throw new IllegalStateException("expected one runtime bundle target/ncps-<version>-linux-<arch>.tar.gz, found "
                        + archives + "; build it with ./mvnw package -DskipTests");
            }
            return new RuntimeBundle(archives.getFirst());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory name inside the archive, e.g. {@code ncps-0.1.0-linux-x86_64}. */
    String name() {
        return archive.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
    }

    /** The version part of the name. */
    String version() {
        return name().replaceFirst("^ncps-", "").replaceFirst("-linux-[a-z0-9_]+$", "");
    }

    /** Unpacks the archive into {@code dir} and returns the bundle's root directory. */
    Path unpackInto(Path dir) {
        Processes.run("tar-x", List.of("tar", "-xzf", archive.toString(), "-C", dir.toString()), Map.of(), dir,
                Duration.ofMinutes(2)).requireSuccess("unpacking " + archive);
        return dir.resolve(name());
    }
}
