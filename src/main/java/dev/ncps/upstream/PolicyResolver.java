package dev.ncps.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Resolves the host of every new upstream connection and keeps only the addresses the upstream's
 * {@link TargetPolicy} allows. Jetty connects to exactly the addresses returned here, so the address checked
 * is the address connected to: a name that resolves to a public address for a check and to loopback for the
 * connection (DNS rebinding) has no second resolution to exploit. The proxy's own address, when a proxy is
 * used, is the operator's choice and not checked.
 */
final class PolicyResolver implements SocketAddressResolver {

    /** No address of the target is allowed; carries what to log and count. */
    static final class RefusedException extends IOException {
        private final TargetPolicy.Verdict verdict;

        RefusedException(TargetPolicy.Verdict verdict) {
            super("refused: " + verdict.refusal().description());
            this.verdict = verdict;
        }

        TargetPolicy.Verdict verdict() {
            return verdict;
        }
    }

    @Override
    public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        Destination destination = (Destination) context.get(Destination.CONTEXT_KEY);
        TargetPolicy policy = destination != null && destination.getOrigin().getTag() instanceof TargetPolicy p ? p : null;
        boolean toProxy = destination != null && destination.getProxy() != null;
        // Blocking name resolution, on a virtual thread of its own: the caller may be one of Jetty's threads.
        Thread.ofVirtual().name("ncps-upstream-dns").start(() -> {
            try {
                InetAddress[] addresses = InetAddress.getAllByName(host);
                List<InetSocketAddress> result = new ArrayList<>();
                TargetPolicy.Verdict refused = null;
                for (InetAddress address : addresses) {
                    Optional<TargetPolicy.Verdict> verdict = toProxy ? Optional.empty()
                            : policy == null ? Optional.of(new TargetPolicy.Verdict(TargetPolicy.Refusal.INTERNAL_ADDRESS,
                                    "request without an upstream")) : policy.checkAddress(host, port, address);
                    if (verdict.isEmpty()) {
                        result.add(new InetSocketAddress(address, port));
                    } else if (refused == null) {
                        refused = verdict.get();
                    }
                }
                if (result.isEmpty()) {
                    promise.failed(refused != null ? new RefusedException(refused)
                            : new UnknownHostException(host + ": no address"));
                } else {
                    promise.succeeded(result);
                }
            } catch (UnknownHostException e) {
                promise.failed(e);
            } catch (RuntimeException e) {
                promise.failed(e);
            }
        });
    }
}
