package dev.ncps.cluster;

import static dev.ncps.e2e.TracingEndToEndTest.descendants;
import static dev.ncps.e2e.TracingEndToEndTest.traced;
import static dev.ncps.e2e.TracingEndToEndTest.tree;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.e2e.Http;
import dev.ncps.e2e.InProcessNcps;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.OtlpReceiver;
import dev.ncps.testing.OtlpReceiver.Received;
import dev.ncps.testing.UpstreamServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A follower relaying a NAR from its owner sends the W3C traceparent of the request it serves, and the owner
 * continues that trace: the owner's server span is a child of the follower's span, its storage calls below
 * it, all in one trace.
 */
@Tag("slow")
class PeerRelayTracingTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String root = NixUpstreamCache.hashOf(cache.closureRoot());

    @Test
    void theOwnerOfARelayedNarContinuesTheTraceOfTheFollower() throws Exception {
        SpanContext follower = SpanContext.create(hex(16), hex(8), TraceFlags.getSampled(), TraceState.getDefault());
        try (OtlpReceiver receiver = new OtlpReceiver(); UpstreamServer upstream = new UpstreamServer(cache.cacheDir())) {
            byte[] relayed;
            try (InProcessNcps owner = InProcessNcps.start(upstream.url(), cache.publicKey(), traced(receiver));
                 HttpClient http = Http.client();
                 PeerClient peers = new PeerClient(Duration.ofSeconds(2), Duration.ofSeconds(30), null, "follower-boot-id")) {
                String narUrl = NarInfo.parse(Http.text(Http.get(http, owner.url("/" + root + ".narinfo")))).url();
                assertThat(Http.get(http, owner.url("/" + narUrl)).statusCode()).isEqualTo(200);

                try (Scope ignored = Span.wrap(follower).makeCurrent(); InputStream in = peers.open(owner.url("/" + narUrl))) {
                    relayed = in.readAllBytes();
                }
            }

            assertThat(relayed).isEqualTo(Files.readAllBytes(cache.narFile(root)));
            List<Received> spans = receiver.spans();
            List<Received> inFollowersTrace = spans.stream().filter(s -> s.traceId().equals(follower.getTraceId())).toList();
            assertThat(inFollowersTrace).as(tree(spans)).filteredOn(s -> s.name().equals("GET /nar/{hash}.nar")).hasSize(1);
            Received relay = inFollowersTrace.stream().filter(s -> s.name().equals("GET /nar/{hash}.nar")).findFirst().orElseThrow();
            assertThat(relay.parentSpanId()).isEqualTo(follower.getSpanId());
            assertThat(relay.attributes()).containsEntry("http.response.status_code", "200");
            List<Received> below = descendants(spans, relay);
            assertThat(below).as(tree(spans)).anySatisfy(s -> assertThat(s.name()).isEqualTo("store.read"));
            assertThat(below.size() + 1).as(tree(spans)).isEqualTo(inFollowersTrace.size());
        }
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
