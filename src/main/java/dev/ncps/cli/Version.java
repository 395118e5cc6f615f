package dev.ncps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code ncps --version} prints: the version Maven wrote into {@code ncps-version.properties} (else the
 * jar manifest's, else "dev") and the git revision the build wrote into {@code ncps-revision.properties}.
 */
final class Version {
    private Version() {}

    static String current() {
        String version = property("/ncps-version.properties", "version")
                .or(() -> Optional.ofNullable(Version.class.getPackage().getImplementationVersion()))
                .orElse("dev");
        return property("/ncps-revision.properties", "revision")
                .map(revision -> version + " (git " + revision + ")")
                .orElse(version);
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
