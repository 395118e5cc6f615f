package dev.ncps.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup removes what dead instances left in the temp path, never what a live one is writing. */
class InstanceTempDirTest {
    private static final int PROCESSES = 4;
    private static final int ROUNDS = 500;

    @TempDir
    Path tempPath;

    @Test
    void aDeadInstancesFolderIsRemovedAtOnceAndALiveOnesIsKept() throws Exception {
        Path parent = tempPath.resolve(InstanceTempDir.PARENT);
        Path dead = Files.createDirectories(parent.resolve("instance-1-dead"));
        Files.writeString(parent.resolve("instance-1-dead.lock"), "");
        Path deadPartial = Files.writeString(dead.resolve("abc-1.nar.xz"), "partial");
        Path orphan = Files.createDirectories(parent.resolve("instance-2-orphan"));

        try (InstanceTempDir live = InstanceTempDir.create(tempPath)) {
            Path livePartial = Files.writeString(live.dir().resolve("def-2.nar.zst"), "in progress");

            try (InstanceTempDir second = InstanceTempDir.create(tempPath)) {
                assertThat(second.dir()).isNotEqualTo(live.dir());
                assertThat(livePartial).as("a file of the instance still running").exists();
            }

            assertThat(deadPartial).doesNotExist();
            assertThat(dead).doesNotExist();
            assertThat(parent.resolve("instance-1-dead.lock")).doesNotExist();
            assertThat(orphan).doesNotExist();
        }
    }

    @Test
    void closingRemovesTheInstancesFolderAndLock() throws Exception {
        InstanceTempDir instance = InstanceTempDir.create(tempPath);
        Files.writeString(instance.dir().resolve("upload-1.nar"), "x");

        instance.close();

        try (var left = Files.list(tempPath.resolve(InstanceTempDir.PARENT))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void instancesStartingAndStoppingAtOnceInSeveralProcessesAllGetTheirFolder() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            processes.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    InstanceTempDirStarts.class.getName(), tempPath.toString(), Integer.toString(ROUNDS))
                    .redirectErrorStream(true).start());
        }
        for (Process process : processes) {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
        }
        try (var left = Files.list(tempPath.resolve(InstanceTempDir.PARENT))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    @Test
    void filesOfOlderVersionsAndUnfinishedClaimsGoOnceAnHourOld() throws Exception {
        Path parent = Files.createDirectories(tempPath.resolve(InstanceTempDir.PARENT));
        Path old = Files.writeString(parent.resolve("abc-123.nar.xz"), "old");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(61))));
        Path recent = Files.writeString(parent.resolve("def-456.nar.xz"), "recent");
        Path oldClaim = Files.writeString(parent.resolve("instance-3-died.claim"), "");
        Files.setLastModifiedTime(oldClaim, FileTime.from(Instant.now().minus(Duration.ofMinutes(61))));
        Path recentClaim = Files.writeString(parent.resolve("instance-4-starting.claim"), "");

        try (InstanceTempDir ignored = InstanceTempDir.create(tempPath)) {
            assertThat(old).doesNotExist();
            assertThat(oldClaim).doesNotExist();
            assertThat(recent).as("may belong to an older ncps still running on this temp path").exists();
            assertThat(recentClaim).as("an instance locks it an instant before renaming it").exists();
        }
    }
}
