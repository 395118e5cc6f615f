package dev.ncps.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/** The version Maven wrote into {@code ncps-version.properties}, else the jar manifest's, else "dev". */
final class Version {
    private Version() {}

    static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/ncps-version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.contains("${")) {
                    return version;
                }
            }
        } catch (IOException ignored) {
            // an unreadable resource is no worse than a missing one
        }
        return Optional.ofNullable(Version.class.getPackage().getImplementationVersion()).orElse("dev");
    }
}
