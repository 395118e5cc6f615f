package dev.ncps.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.TestDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The Java programs under bench/ are run as source files against the built classes (bench/scale.sh), so nothing
 * else compiles them: they would rot unnoticed whenever an API they use changes. Compiled here against the test
 * classpath, which holds the main classes and every dependency.
 */
class BenchSourcesCompileTest {
    @Test
    void everyBenchProgramCompilesAgainstTheCurrentClasses() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(TestDirs.repoRoot().resolve("bench"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(sources).as("Java sources in bench/").isNotEmpty();
        Path out = TestDirs.newWorkDir("bench-classes");
        try {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
                List<String> options = List.of("-proc:none", "-Xlint:none", "-d", out.toString(),
                        "-cp", System.getProperty("java.class.path"));
                boolean compiled = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
                assertThat(diagnostics.getDiagnostics().stream()
                        .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).map(Object::toString).toList())
                        .as("errors compiling %s", sources).isEmpty();
                assertThat(compiled).isTrue();
            }
        } finally {
            TestDirs.deleteTree(out);
        }
    }
}
