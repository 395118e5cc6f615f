package dev.ncps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundPriorityTest {

    @Test
    void onLinuxTheCallingThreadGetsNiceTenAndOtherThreadsKeepTheirs() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "setpriority per thread is Linux behaviour");
        int before = niceOfCurrentThread();
        AtomicInteger lowered = new AtomicInteger();
        Thread thread = Thread.ofPlatform().start(() -> {
            BackgroundPriority.lowerCurrentThread();
            lowered.set(niceOfCurrentThread());
        });
        thread.join();

        assertThat(lowered.get()).isEqualTo(Math.max(before, 10));
        assertThat(niceOfCurrentThread()).isEqualTo(before);
    }

    /** Field 19 of /proc/thread-self/stat, counted after the parenthesised command name. */
    private static int niceOfCurrentThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
