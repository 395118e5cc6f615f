package dev.ncps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code ncps --version} prints: the version Maven wrote into {@code ncps-version.properties} (else the
 * jar manifest's, else "dev") and the git revision the build wrote into {@code ncps-revision.properties}.
 */
public final class Version {
    private Version() {}

    static String current() {
        return revision().map(revision -> number() + " (git " + revision + ")").orElse(number());
    }

    /** The release, e.g. {@code 0.1.0}, or {@code dev} when the build wrote none. */
    public static String number() {
        return property("/ncps-version.properties", "version")
                .or(() -> Optional.ofNullable(Version.class.getPackage().getImplementationVersion()))
                .orElse("dev");
    }

    /** The git revision the build was made from, when it knew one. */
    public static Optional<String> revision() {
        return property("/ncps-revision.properties", "revision");
    }

    private static Optional<String> property(String resource, String key) {
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            Properties properties = new Properties();
            properties.load(in);
            String value = properties.getProperty(key, "");
            return value.isBlank() || value.contains("${") ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            // an unreadable resource is no worse than a missing one
            return Optional.empty();
        }
    }
}
