package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NcpsProcessTest {
    /** A stand-in for ncps: serves /healthz (and its start count, from the env) on the port in args[0]. */
    private static final String FAKE_SERVER = """
            import com.sun.net.httpserver.HttpServer;
            import java.net.InetSocketAddress;
            public class FakeNcps {
                public static void main(String[] args) throws Exception {
                    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
                    server.createContext("/healthz", exchange -> {
                        byte[] body = ("ok " + System.getenv("FAKE_NAME")).getBytes();
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                        exchange.close();
                    });
                    server.start();
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void explainsAMissingRepoRootProperty() {
        assertThatThrownBy(() -> NcpsProcess.locateJar(null))
                .hasMessageContaining("ncps.repo.root is not set");
    }

    @Test
    void explainsAMissingJarAndHowToBuildIt() {
        assertThatThrownBy(() -> NcpsProcess.locateJar(dir.toString()))
                .hasMessageContaining(dir.resolve("target/ncps.jar").toString())
                .hasMessageContaining("./mvnw package");
    }

    @Test
    void findsTheJarUnderTarget() throws IOException {
        Path jar = Files.createDirectories(dir.resolve("target")).resolve("ncps.jar");
        Files.write(jar, new byte[0]);
        assertThat(NcpsProcess.locateJar(dir.toString())).isEqualTo(jar);
    }

    @Test
    @Tag("slow")
    void startsWaitsForHealthAndRestartsOnTheSamePort() throws Exception {
        Path jar = buildFakeJar();
        try (NcpsProcess ncps = NcpsProcess.start(jar, "fake-ncps", port -> List.of(Integer.toString(port)),
                     Map.of("FAKE_NAME", "first"), Duration.ofSeconds(30));
             HttpClient http = HttpClient.newHttpClient()) {
            assertThat(health(http, ncps.url())).isEqualTo("ok first");
            int port = ncps.port();

            ncps.kill();
            assertThat(ncps.isRunning()).isFalse();
            assertThatThrownBy(() -> health(http, ncps.url())).isInstanceOf(IOException.class);

            ncps.start();
            assertThat(ncps.port()).isEqualTo(port);
            assertThat(health(http, ncps.url())).isEqualTo("ok first");

            ncps.restart();
            assertThat(health(http, ncps.url())).isEqualTo("ok first");
            assertThat(ncps.terminate(Duration.ofSeconds(10))).isEqualTo(128 + 15);
        }
    }

    private static String health(HttpClient http, URI base) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/healthz")).timeout(Duration.ofSeconds(5)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private Path buildFakeJar() throws IOException {
        Path source = dir.resolve("FakeNcps.java");
        Files.writeString(source, FAKE_SERVER);
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", dir.toString(), source.toString());
        assertThat(compiled).isZero();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "FakeNcps");
        Path jar = dir.resolve("fake-ncps.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("FakeNcps.class"));
            out.write(Files.readAllBytes(dir.resolve("FakeNcps.class")));
            out.closeEntry();
        }
        return jar;
    }
}
