package dev.ncps.app;

import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.cluster.ClusterCoordinator;
import dev.ncps.config.HostPort;
import dev.ncps.config.ServeConfig;
import dev.ncps.lock.LockBackend;
import dev.ncps.lock.LockException;
import dev.ncps.lock.Locks;
import dev.ncps.tracing.Tracing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Chooses how this instance coordinates with others: alone, or through a shared lock backend. */
final class Coordination {
    private Coordination() {}

    static DownloadCoordinator create(ServeConfig config, Listeners listeners, Tracing tracing, Clock clock,
                                      UnaryOperator<Object> track)
            throws LockException {
        if (config.lock().backend() == LockBackend.LOCAL) {
            return DownloadCoordinator.SINGLE_INSTANCE;
        }
        Locks locks = tracing.traced(Locks.class, Backends.openLocks(config.lock(), config.database(), listeners.locks(), track),
                "lock");
        String bootId = UUID.randomUUID().toString();
        return (DownloadCoordinator) track.apply(new ClusterCoordinator(locks, config.cluster(), advertisedUrl(config), bootId,
                config.http().getToken(), clock, listeners.coordination()));
    }

    /** {@code server.advertise-url}, else this host's address and the listening port. */
    static String advertisedUrl(ServeConfig config) {
        if (config.server().advertiseUrl().isPresent()) {
            return config.server().advertiseUrl().get().toString();
        }
        HostPort addr = config.server().addr();
        String host = addr.host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            try {
                host = InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException("cannot find this host's address for server.advertise-url; set it explicitly", e);
            }
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + addr.port();
    }
}
