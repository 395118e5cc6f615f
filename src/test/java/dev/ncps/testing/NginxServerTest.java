package dev.ncps.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class NginxServerTest {
    @Test
    void proxiesToAnUpstreamWithTheGivenServerBlock(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("nix-cache-info"), "StoreDir: /nix/store\n");
        try (UpstreamServer upstream = new UpstreamServer(dir);
             NginxServer nginx = NginxServer.start(1, port -> """
                     server {
                       listen 127.0.0.1:%d;
                       location / { proxy_pass %s; }
                     }
                     """.formatted(port, upstream.url()));
             HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(nginx.url().resolve("/nix-cache-info"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("StoreDir: /nix/store\n");
            assertThat(upstream.requests("/nix-cache-info")).isEqualTo(1);
        }
    }
}
