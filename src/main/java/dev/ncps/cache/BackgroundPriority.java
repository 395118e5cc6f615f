package dev.ncps.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Lowers the OS scheduling priority of the calling platform thread (Linux nice 10), so CPU-bound
 * background work such as decoding and hashing a NAR yields the cores to the threads serving clients
 * whenever both want them, and still runs at full speed when the machine is otherwise idle. Java's own
 * thread priorities are ignored on Linux, hence libc's {@code setpriority} on the thread's id. Where that
 * is unavailable (another OS, native access denied) the thread simply keeps the normal priority.
 */
final class BackgroundPriority {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);
    private static final int PRIO_PROCESS = 0;
    private static final int NICE = 10;
    private static final Calls CALLS = Calls.lookup();

    private BackgroundPriority() {}

    static void lowerCurrentThread() {
        if (CALLS == null) {
            return;
        }
        try {
            int tid = (int) CALLS.gettid.invokeExact();
            // Never raise a priority the operator lowered further (a root process could).
            if ((int) CALLS.getpriority.invokeExact(PRIO_PROCESS, tid) >= NICE) {
                return;
            }
            int result = (int) CALLS.setpriority.invokeExact(PRIO_PROCESS, tid, NICE);
            if (result != 0) {
                log.debug("setpriority failed for thread {}", tid);
            }
        } catch (Throwable e) {
            log.debug("cannot lower the priority of {}: {}", Thread.currentThread().getName(), e.toString());
        }
    }

    private record Calls(MethodHandle gettid, MethodHandle getpriority, MethodHandle setpriority) {
        static Calls lookup() {
            if (!System.getProperty("os.name", "").equals("Linux")) {
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                return new Calls(
                        linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(JAVA_INT)),
                        linker.downcallHandle(libc.find("getpriority").orElseThrow(),
                                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
                        linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)));
            } catch (RuntimeException | LinkageError e) {
                log.info("verification threads keep the normal priority: {}", e.toString());
                return null;
            }
        }
    }
}
