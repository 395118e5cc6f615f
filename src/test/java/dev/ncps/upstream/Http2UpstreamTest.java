package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.testing.TestDirs;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client against a real TLS upstream that offers HTTP/2 and HTTP/1.1 by ALPN (a Jetty server with a
 * self-signed certificate the client is told to trust): it speaks HTTP/2 there, HTTP/1.1 to a TLS upstream that
 * offers only that, and HTTP/1.1 to plain {@code http://}, each as the server saw it.
 */
class Http2UpstreamTest {
    private static final String PASSWORD = "test-only";

    private final Queue<String> protocolsSeen = new ConcurrentLinkedQueue<>();
    private Server server;
    private UpstreamHttp http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    /** A PKCS12 key store with a fresh self-signed certificate for 127.0.0.1, made by the JDK's keytool. */
    private static Path selfSigned() throws Exception {
        Path store = TestDirs.newWorkDir("h2-upstream").resolve("upstream.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        return store;
    }

    /** Starts the upstream; {@code protocols} in the server's order of preference ("h2", "http/1.1"), null for plain HTTP. */
    private URI serve(Path keyStore, List<String> protocols) throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        HttpConnectionFactory http11 = new HttpConnectionFactory(config);
        ServerConnector connector;
        if (protocols == null) {
            connector = new ServerConnector(server, http11);
        } else {
            config.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStorePath(keyStore.toString());
            tls.setKeyStorePassword(PASSWORD);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(protocols.toArray(String[]::new));
            alpn.setDefaultProtocol("http/1.1");
            if (protocols.contains("h2")) {
                connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
                        new HTTP2ServerConnectionFactory(config), http11);
            } else {
                connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, http11);
            }
        }
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                protocolsSeen.add(request.getConnectionMetaData().getProtocol());
                Content.Sink.write(response, true, "StoreDir: /nix/store\n", callback);
                return true;
            }
        });
        server.start();
        return URI.create((protocols == null ? "http" : "https") + "://127.0.0.1:" + connector.getLocalPort() + "/nix-cache-info");
    }

    private void startClient(Path trusted) throws Exception {
        SslContextFactory.Client tls = new SslContextFactory.Client();
        if (trusted != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trusted)) {
                trust.load(in, PASSWORD.toCharArray());
            }
            tls.setTrustStore(trust);
        }
        http = new UpstreamHttp(UpstreamOptions.defaults(), Netrc.empty(), UpstreamListener.NONE, tls);
        http.start();
    }

    private String fetch(URI uri) throws Exception {
        try (UpstreamHttp.Exchange exchange = http.get(UpstreamHttpTest.upstreamOf(uri), uri, false)) {
            assertThat(exchange.status()).isEqualTo(200);
            return exchange.readText(1024);
        }
    }

    @Test
    void aTlsUpstreamOfferingHttp2IsSpokenToInHttp2() throws Exception {
        Path keyStore = selfSigned();
        URI uri = serve(keyStore, List.of("h2", "http/1.1"));
        startClient(keyStore);

        assertThat(fetch(uri)).isEqualTo("StoreDir: /nix/store\n");
        assertThat(fetch(uri)).isEqualTo("StoreDir: /nix/store\n");

        assertThat(protocolsSeen).containsExactly("HTTP/2.0", "HTTP/2.0");
    }

    @Test
    void aTlsUpstreamOfferingOnlyHttp11IsSpokenToInHttp11() throws Exception {
        Path keyStore = selfSigned();
        URI uri = serve(keyStore, List.of("http/1.1"));
        startClient(keyStore);

        assertThat(fetch(uri)).isEqualTo("StoreDir: /nix/store\n");

        assertThat(protocolsSeen).containsExactly("HTTP/1.1");
    }

    @Test
    void aPlainHttpUpstreamIsSpokenToInHttp11() throws Exception {
        URI uri = serve(null, null);
        startClient(null);

        assertThat(fetch(uri)).isEqualTo("StoreDir: /nix/store\n");

        assertThat(protocolsSeen).containsExactly("HTTP/1.1");
    }
}
