package dev.ncps.app;

import java.nio.file.Path;

/**
 * A process that starts and stops instances on one temp path in a loop, as restarts of several instances
 * sharing it would; run by {@link InstanceTempDirTest} in several processes at once, because file locks
 * only exclude other processes. Exits with 1 and the reason on the first failure.
 */
final class InstanceTempDirStarts {
    private InstanceTempDirStarts() {
    }

    public static void main(String[] args) {
        Path tempPath = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        try {
            for (int i = 0; i < rounds; i++) {
                InstanceTempDir.create(tempPath).close();
            }
        } catch (Exception e) {
            System.err.println(e);
            System.exit(1);
        }
    }
}
