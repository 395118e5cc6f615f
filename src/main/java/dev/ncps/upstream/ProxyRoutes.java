package dev.ncps.upstream;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import org.eclipse.jetty.client.BasicAuthentication;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpProxy;
import org.eclipse.jetty.client.Origin;
import org.eclipse.jetty.http.HttpHeader;

/** Puts {@link Proxies} into Jetty's client: one proxy per scheme, each skipping what NO_PROXY names. */
final class ProxyRoutes {
    private ProxyRoutes() {}

    static void install(HttpClient client, Proxies proxies) {
        if (proxies.http() != null) {
            add(client, proxies, proxies.http(), "http");
        }
        if (proxies.https() != null) {
            add(client, proxies, proxies.https(), "https");
        }
    }

    private static void add(HttpClient client, Proxies proxies, URI proxy, String scheme) {
        boolean secure = "https".equalsIgnoreCase(proxy.getScheme());
        Origin.Address address = new Origin.Address(proxy.getHost(), Hosts.port(proxy));
        client.getProxyConfiguration().addProxy(new HttpProxy(address, secure) {
            @Override
            public boolean matches(Origin origin) {
                return origin.getScheme().equalsIgnoreCase(scheme) && proxies.proxyFor(scheme,
                        origin.getAddress().getHost(), origin.getAddress().getPort()).isPresent();
            }
        });
        String userInfo = proxy.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
            String password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
            URI proxyUri = URI.create((secure ? "https" : "http") + "://" + proxy.getHost() + ":" + Hosts.port(proxy));
            client.getAuthenticationStore().addAuthenticationResult(
                    new BasicAuthentication.BasicResult(proxyUri, HttpHeader.PROXY_AUTHORIZATION, user, password));
        }
    }
}
