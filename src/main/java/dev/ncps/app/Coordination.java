package dev.ncps.app;

import dev.ncps.cache.DownloadCoordinator;
import dev.ncps.config.LockBackend;
import dev.ncps.config.ServeConfig;
import dev.ncps.metrics.Metrics;

import java.time.Clock;
import java.util.function.UnaryOperator;

/** Chooses how this instance coordinates with others: alone, or through a shared lock backend. */
final class Coordination {
    private Coordination() {}

    static DownloadCoordinator create(ServeConfig config, Metrics metrics, Clock clock, UnaryOperator<Object> track) {
        if (config.lock().backend() == LockBackend.LOCAL) {
            return DownloadCoordinator.SINGLE_INSTANCE;
        }
        throw new IllegalStateException("cache.lock.backend " + config.lock().backend() + " is not available yet");
    }
}
