package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which upstream requests go through which proxy, as Go's net/http decides it from the environment. */
class ProxiesTest {
    private static final URI PROXY = URI.create("http://proxy.example:3128");

    @Test
    void eachSchemeHasItsOwnProxy() {
        Proxies proxies = Proxies.fromEnvironment(Map.of("http_proxy", "plain.example:8080", "HTTPS_PROXY", PROXY.toString()));
        assertThat(proxies.proxyFor("http", "cache.example", 80)).hasValue(URI.create("http://plain.example:8080"));
        assertThat(proxies.proxyFor("https", "cache.example", 443)).hasValue(PROXY);
        assertThat(Proxies.fromEnvironment(Map.of("HTTP_PROXY", PROXY.toString())).proxyFor("https", "cache.example", 443)).isEmpty();
    }

    @Test
    void noProxyNamesHostsTheirSubdomainsAddressesBlocksAndPorts() {
        Proxies proxies = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", PROXY.toString(),
                "NO_PROXY", "internal.example, .corp.example,10.0.0.0/8, 192.0.2.7, s3.example:9000"));
        assertThat(proxies.proxyFor("https", "internal.example", 443)).isEmpty();
        assertThat(proxies.proxyFor("https", "minio.internal.example", 443)).isEmpty();
        assertThat(proxies.proxyFor("https", "notinternal.example", 443)).hasValue(PROXY);
        assertThat(proxies.proxyFor("https", "a.corp.example", 443)).isEmpty();
        assertThat(proxies.proxyFor("https", "corp.example", 443)).hasValue(PROXY);
        assertThat(proxies.proxyFor("https", "10.1.2.3", 443)).isEmpty();
        assertThat(proxies.proxyFor("https", "11.1.2.3", 443)).hasValue(PROXY);
        assertThat(proxies.proxyFor("https", "192.0.2.7", 443)).isEmpty();
        assertThat(proxies.proxyFor("https", "s3.example", 9000)).isEmpty();
        assertThat(proxies.proxyFor("https", "s3.example", 443)).hasValue(PROXY);
        assertThat(proxies.proxyFor("https", "cache.nixos.org", 443)).hasValue(PROXY);
    }

    @Test
    void loopbackIsNeverProxiedAndAStarMeansNothingIs() {
        Proxies proxies = Proxies.fromEnvironment(Map.of("HTTP_PROXY", PROXY.toString()));
        assertThat(proxies.proxyFor("http", "localhost", 80)).isEmpty();
        assertThat(proxies.proxyFor("http", "127.0.0.1", 80)).isEmpty();
        assertThat(proxies.proxyFor("http", "[::1]", 80)).isEmpty();
        assertThat(Proxies.fromEnvironment(Map.of("HTTP_PROXY", PROXY.toString(), "no_proxy", "*"))
                .proxyFor("http", "cache.example", 80)).isEmpty();
    }

    @Test
    void theProxyCredentialsNeverAppearInItsDescription() {
        Proxies proxies = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "http://user:hunter2@proxy.example:3128"));
        assertThat(proxies.toString()).doesNotContain("hunter2").contains("***@proxy.example:3128");
    }
}
