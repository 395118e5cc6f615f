package dev.ncps.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup removes what dead instances left in the temp path, never what a live one is writing. */
class InstanceTempDirTest {
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
    void filesOfOlderVersionsGoOnceAnHourOld() throws Exception {
        Path parent = Files.createDirectories(tempPath.resolve(InstanceTempDir.PARENT));
        Path old = Files.writeString(parent.resolve("abc-123.nar.xz"), "old");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofMinutes(61))));
        Path recent = Files.writeString(parent.resolve("def-456.nar.xz"), "recent");

        try (InstanceTempDir ignored = InstanceTempDir.create(tempPath)) {
            assertThat(old).doesNotExist();
            assertThat(recent).as("may belong to an older ncps still running on this temp path").exists();
        }
    }
}
