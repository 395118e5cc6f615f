package dev.ncps.ha;

import dev.ncps.testing.HaproxyServer;
import dev.ncps.testing.NcpsProcess;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.RedisServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.UpstreamServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * N ncps JVMs sharing Redis, PostgreSQL and an S3 bucket, all started from one identical config file (only
 * the listen address and the advertised URL come from flags), optionally behind HAProxy.
 */
final class Cluster implements AutoCloseable {
    final List<NcpsProcess> instances;
    final HaproxyServer haproxy;
    final String bucket;
    final String keyPrefix;
    final Path config;

    private Cluster(List<NcpsProcess> instances, HaproxyServer haproxy, String bucket, String keyPrefix, Path config) {
        this.instances = instances;
        this.haproxy = haproxy;
        this.bucket = bucket;
        this.keyPrefix = keyPrefix;
        this.config = config;
    }

    /** The shared servers a cluster uses. */
    record Backends(RedisServer redis, PostgresServer postgres, S3Server s3, UpstreamServer upstream,
                    NixUpstreamCache upstreamCache, Path work) {}

    /**
     * Starts {@code count} instances on a fresh database and bucket (so nothing is cached), in parallel,
     * and HAProxy in front of them when {@code behindHaproxy}.
     */
    static Cluster start(Backends backends, String name, int count, boolean allowDegraded, boolean behindHaproxy) {
        String bucket = "ha-" + name;
        try (var client = backends.s3().client()) {
            client.createBucket(b -> b.bucket(bucket));
        }
        String keyPrefix = "ncps:" + name + ":";
        NcpsYaml yaml = new NcpsYaml(8501, backends.upstream().url(), backends.upstreamCache().publicKey(),
                new NcpsYaml.S3(backends.s3(), bucket), backends.postgres().createDatabase().url(),
                new NcpsYaml.RedisLocks("127.0.0.1:" + backends.redis().port(), keyPrefix, allowDegraded),
                List.of("  temp-path: " + backends.work().resolve("tmp-" + name)));
        Path config = backends.work().resolve(name + ".yaml");
        try {
            Files.writeString(config, yaml.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<CompletableFuture<NcpsProcess>> starting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String instance = name + "-" + (i + 1);
            starting.add(CompletableFuture.supplyAsync(() -> NcpsProcess.start(instance, port -> List.of("serve",
                    "--config", config.toString(), "--server-addr", "127.0.0.1:" + port,
                    "--server-advertise-url", "http://127.0.0.1:" + port), Map.of())));
        }
        List<NcpsProcess> instances = starting.stream().map(CompletableFuture::join).toList();
        HaproxyServer haproxy = behindHaproxy
                ? HaproxyServer.start(instances.stream().map(NcpsProcess::url).toList(), HaproxyServer.Balance.ROUNDROBIN)
                : null;
        return new Cluster(instances, haproxy, bucket, keyPrefix, config);
    }

    /** HAProxy first (when present), then every instance directly. */
    List<URI> entryPoints() {
        List<URI> all = new ArrayList<>();
        if (haproxy != null) {
            all.add(haproxy.url());
        }
        instances.stream().map(NcpsProcess::url).forEach(all::add);
        return all;
    }

    NcpsProcess instanceOnPort(int port) {
        return instances.stream().filter(i -> i.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no instance on port " + port));
    }

    String logs() {
        StringBuilder all = new StringBuilder();
        for (NcpsProcess instance : instances) {
            all.append("==== ").append(instance.url()).append('\n').append(instance.logTail(60)).append('\n');
        }
        return all.toString();
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        instances.forEach(NcpsProcess::close);
    }
}
