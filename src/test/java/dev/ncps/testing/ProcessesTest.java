package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTest {
    @TempDir
    Path dir;

    @Test
    void freePortCanBeBoundOnLoopback() throws IOException {
        int port = Processes.freePort();
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(Processes.LOOPBACK))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void awaitWithoutProcessTimesOutWithTheReason() {
        assertThatThrownBy(() -> Processes.await("the impossible", Duration.ofMillis(200), () -> false))
                .hasMessageContaining("timed out").hasMessageContaining("the impossible");
    }

    @Test
    @Tag("slow")
    void runsACommandAndKeepsItsOutputInALogUnderTarget() {
        Processes.Completed java = Processes.run("java-version",
                List.of(NcpsProcess.javaExecutable().toString(), "-version"), Map.of(), dir, Duration.ofSeconds(30));

        assertThat(java.exitCode()).isZero();
        assertThat(java.output()).contains("version \"");
        assertThat(java.log()).startsWith(TestDirs.target().resolve("test-logs"));
    }

    @Test
    @Tag("slow")
    void passesTheEnvironmentAndReportsFailuresWithTheLogTail() {
        Processes.Completed failed = Processes.run("failing", List.of("sh", "-c", "echo \"boom $GREETING\"; exit 3"),
                Map.of("GREETING", "hello"), dir, Duration.ofSeconds(10));

        assertThat(failed.exitCode()).isEqualTo(3);
        assertThatThrownBy(() -> failed.requireSuccess("the failing step"))
                .hasMessageContaining("the failing step failed with exit code 3")
                .hasMessageContaining("boom hello");
    }

    @Test
    @Tag("slow")
    void waitingForAPortFailsEarlyWhenTheProcessDies() {
        RunningProcess dying = Processes.start("dying", List.of("sh", "-c", "echo cannot bind; exit 1"), Map.of(), dir);

        long started = System.nanoTime();
        assertThatThrownBy(() -> Processes.awaitPort(Processes.freePort(), Duration.ofSeconds(30), dying))
                .hasMessageContaining("exited with 1").hasMessageContaining("cannot bind");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    @Tag("slow")
    void terminateEndsAProcessWithSigtermAndKillWithSigkill() {
        RunningProcess polite = Processes.start("sleeper", List.of("sleep", "60"), Map.of(), dir);
        RunningProcess crashed = Processes.start("sleeper", List.of("sleep", "60"), Map.of(), dir);

        assertThat(polite.terminate(Duration.ofSeconds(5))).isEqualTo(128 + 15);
        crashed.kill();

        assertThat(polite.isAlive()).isFalse();
        assertThat(crashed.isAlive()).isFalse();
        assertThat(crashed.exitCode()).isEqualTo(128 + 9);
    }

    @Test
    @Tag("slow")
    void awaitExitKillsACommandThatRunsTooLong() {
        RunningProcess slow = Processes.start("slow", List.of("sleep", "60"), Map.of(), dir);

        assertThatThrownBy(() -> slow.awaitExit(Duration.ofMillis(300))).hasMessageContaining("did not finish");
        assertThat(slow.isAlive()).isFalse();
    }
}
