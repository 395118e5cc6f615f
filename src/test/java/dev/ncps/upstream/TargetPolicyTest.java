package dev.ncps.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.client.transport.HttpDestination;
import org.eclipse.jetty.util.Promise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The address and URL rules of {@link TargetPolicy}, without any network: literals only, nothing is connected to. */
class TargetPolicyTest {
    private static final URI BASE = URI.create("http://cache.example:8080/nix/");
    private final TargetPolicy policy = new TargetPolicy(BASE, List.of());

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "0.0.0.0", "10.0.0.1", "10.255.255.255", "172.16.0.1",
            "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "224.0.0.1",
            "255.255.255.255", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
            "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
            "2002:c0a8:101::1"})
    void internalAddressesAreRefused(String address) {
        assertThat(policy.checkAddress("evil.example", 80, InetAddress.ofLiteral(address)))
                .hasValueSatisfying(v -> assertThat(v.refusal()).isEqualTo(TargetPolicy.Refusal.INTERNAL_ADDRESS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"151.101.2.217", "1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1",
            "2a04:4e42::729", "2606:4700::1111"})
    void publicAddressesAreAllowed(String address) {
        assertThat(policy.checkAddress("cdn.example", 443, InetAddress.ofLiteral(address))).isEmpty();
    }

    @Test
    void theUpstreamsOwnHostAndPortIsAllowedWhereverItIsButNotItsOtherPorts() {
        InetAddress loopback = InetAddress.ofLiteral("127.0.0.1");
        assertThat(policy.checkAddress("cache.example", 8080, loopback)).isEmpty();
        assertThat(policy.checkAddress("CACHE.example", 8080, loopback)).isEmpty();
        assertThat(policy.checkAddress("cache.example", 8081, loopback)).isPresent();
        assertThat(policy.checkAddress("localhost", 8080, loopback)).isPresent();

        TargetPolicy literal = new TargetPolicy(URI.create("http://[::1]:9000"), List.of());
        assertThat(literal.checkAddress("[::1]", 9000, InetAddress.ofLiteral("::1"))).isEmpty();
        assertThat(literal.checkAddress("::1", 9000, InetAddress.ofLiteral("::1"))).isEmpty();
        assertThat(literal.checkAddress("::1", 9001, InetAddress.ofLiteral("::1"))).isPresent();
    }

    @Test
    void theAllowListLetsNamedInternalTargetsThrough() {
        TargetPolicy allowing = new TargetPolicy(BASE, List.of(AllowedTarget.parse("nar-store.internal:9000"),
                AllowedTarget.parse("10.20.0.0/16"), AllowedTarget.parse("[fd00::5]:8443"), AllowedTarget.parse("192.168.1.7")));
        InetAddress internal = InetAddress.ofLiteral("10.9.9.9");
        assertThat(allowing.checkAddress("nar-store.internal", 9000, internal)).isEmpty();
        assertThat(allowing.checkAddress("nar-store.internal", 9001, internal)).isPresent();
        assertThat(allowing.checkAddress("x", 1, InetAddress.ofLiteral("10.20.3.4"))).isEmpty();
        assertThat(allowing.checkAddress("x", 1, InetAddress.ofLiteral("10.21.3.4"))).isPresent();
        assertThat(allowing.checkAddress("x", 8443, InetAddress.ofLiteral("fd00::5"))).isEmpty();
        assertThat(allowing.checkAddress("x", 8444, InetAddress.ofLiteral("fd00::5"))).isPresent();
        assertThat(allowing.checkAddress("x", 5, InetAddress.ofLiteral("192.168.1.7"))).isEmpty();
        assertThat(allowing.checkAddress("x", 5, InetAddress.ofLiteral("192.168.1.8"))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "host:0", "host:70000", "host:x", "10.0.0.0/33", "10.0.0.0/x", "nope/8",
            "http://host"})
    void aBadAllowListEntryIsRefusedWithTheAcceptedForms(String entry) {
        assertThatThrownBy(() -> AllowedTarget.parse(entry)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'").hasMessageContaining("10.0.0.0/8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../nar/x.nar", "/nar/x.nar", "%2e%2e/nar/x.nar", "..%2fnar/x.nar", "%2E%2E%2Fnar/x.nar",
            "%252e%252e/nar/x.nar", "..%5cnar/x.nar", "sub/../../nar/x.nar", "http://cache.example:8080/other/x.nar"})
    void aNarUrlOnTheUpstreamLeavingItsBasePathIsRefused(String url) {
        assertThat(policy.checkFirst(BASE.resolve(url), BASE))
                .hasValueSatisfying(v -> assertThat(v.refusal()).isEqualTo(TargetPolicy.Refusal.OUTSIDE_BASE_PATH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nar/x.nar.xz", "nar/x.nar?hash=abc", "./nar/x.nar", "sub/../nar/x.nar",
            "http://cache.example:8080/nix/nar/x.nar", "https://cdn.example/other/x.nar", "http://cache.example:9999/x"})
    void otherNarUrlsPassTheUrlRules(String url) {
        assertThat(policy.checkFirst(BASE.resolve(url), BASE)).isEmpty();
    }

    @Test
    void httpsNeverDowngradesToHttp() {
        URI https = URI.create("https://cache.example/");
        TargetPolicy secure = new TargetPolicy(https, List.of());
        assertThat(secure.checkFirst(URI.create("http://cache.example/nar/x.nar"), https))
                .hasValueSatisfying(v -> assertThat(v.refusal()).isEqualTo(TargetPolicy.Refusal.SCHEME_DOWNGRADE));
        assertThat(secure.checkHop(URI.create("https://cdn.example/a"), URI.create("http://cdn.example/a")))
                .hasValueSatisfying(v -> assertThat(v.refusal()).isEqualTo(TargetPolicy.Refusal.SCHEME_DOWNGRADE));
        assertThat(secure.checkHop(URI.create("http://a.example/a"), URI.create("https://b.example/a"))).isEmpty();
    }

    @Test
    void throughAProxyLiteralsAndLocalhostAreStillRefused() {
        assertThat(policy.checkProxied("169.254.169.254", 80)).isPresent();
        assertThat(policy.checkProxied("[::ffff:127.0.0.1]", 80)).isPresent();
        assertThat(policy.checkProxied("localhost", 80)).isPresent();
        assertThat(policy.checkProxied("admin.localhost", 80)).isPresent();
        assertThat(policy.checkProxied("cdn.example", 443)).isEmpty();
        assertThat(policy.checkProxied("cache.example", 8080)).isEmpty();
    }

    @Test
    void theResolverReturnsOnlyAllowedAddressesAndFailsWithTheVerdictOtherwise() throws Exception {
        try (HttpClient client = new HttpClient()) {
            client.start();
            HttpDestination destination = new HttpDestination(client, new Origin("http", "x", 80, policy));
            assertThat(resolve(destination, "169.254.169.254", 80)).failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(PolicyResolver.RefusedException.class);
            assertThat(resolve(destination, "10.1.2.3", 80)).failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(PolicyResolver.RefusedException.class);
            assertThat(resolve(destination, "localhost", 80)).failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(PolicyResolver.RefusedException.class);
            assertThat(resolve(destination, "1.1.1.1", 443).get(5, TimeUnit.SECONDS))
                    .containsExactly(new InetSocketAddress(InetAddress.ofLiteral("1.1.1.1"), 443));
        }
    }

    private static CompletableFuture<List<InetSocketAddress>> resolve(Destination destination, String host, int port) {
        Promise.Completable<List<InetSocketAddress>> promise = new Promise.Completable<>();
        new PolicyResolver().resolve(host, port, Map.of(Destination.CONTEXT_KEY, destination), promise);
        return promise;
    }
}
