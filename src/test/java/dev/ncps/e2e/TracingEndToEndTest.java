package dev.ncps.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ncps.http.HttpServer;
import dev.ncps.nix.NarInfo;
import dev.ncps.testing.NixUpstreamCache;
import dev.ncps.testing.OtlpReceiver;
import dev.ncps.testing.PostgresServer;
import dev.ncps.testing.S3Server;
import dev.ncps.testing.OtlpReceiver.Received;
import dev.ncps.testing.UpstreamServer;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * With tracing on, ncps sends its spans over OTLP/gRPC to a real receiver: a cold miss (narinfo, then NAR)
 * is one trace per request, rooted in the request's server span, with the index, storage and upstream calls
 * the request caused as its descendants, the NAR download's included although it runs on a thread of its own.
 */
@Tag("slow")
public class TracingEndToEndTest {
    private final NixUpstreamCache cache = NixUpstreamCache.standard();
    private final String root = NixUpstreamCache.hashOf(cache.closureRoot());

    @Test
    void aColdMissIsATraceOfEachRequestWithItsIndexStorageAndUpstreamCalls() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(); UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             LogCapture accessLog = new LogCapture(HttpServer.ACCESS_LOGGER)) {
            String narUrl;
            try (InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), traced(receiver));
                 HttpClient http = Http.client()) {
                HttpResponse<byte[]> narInfo = Http.get(http, ncps.url("/" + root + ".narinfo"));
                assertThat(narInfo.statusCode()).isEqualTo(200);
                narUrl = NarInfo.parse(Http.text(narInfo)).url();
                HttpResponse<byte[]> nar = Http.get(http, ncps.url("/" + narUrl));
                assertThat(nar.statusCode()).isEqualTo(200);
                assertThat(nar.body()).isEqualTo(Files.readAllBytes(cache.narFile(root)));
            } // closing ncps sends the spans still buffered

            List<Received> spans = receiver.spans();
            assertThat(receiver.errors()).isEmpty();
            Received narInfoRequest = serverSpan(spans, "GET /{hash}.narinfo");
            Received narRequest = serverSpan(spans, "GET /nar/{hash}.nar");
            assertThat(narInfoRequest.attributes()).containsEntry("http.request.method", "GET")
                    .containsEntry("http.route", "/{hash}.narinfo").containsEntry("url.path", "/" + root + ".narinfo")
                    .containsEntry("http.response.status_code", "200").containsEntry("ncps.cache.result", "miss");
            assertThat(narRequest.attributes()).containsEntry("http.route", "/nar/{hash}.nar")
                    .containsEntry("url.path", "/" + narUrl).containsEntry("http.response.status_code", "200")
                    .containsEntry("ncps.cache.result", "miss");
            assertThat(narInfoRequest.resource()).containsEntry("service.name", "ncps");
            // The access log line of each request names its trace and span, as text and as ECS fields.
            assertThat(accessLog.keyValues()).anySatisfy(fields -> assertThat(fields)
                    .containsEntry("url.path", "/" + root + ".narinfo")
                    .containsEntry("trace.id", narInfoRequest.traceId()).containsEntry("span.id", narInfoRequest.spanId()));
            assertThat(accessLog.messages()).anySatisfy(line -> assertThat(line)
                    .startsWith("GET /" + narUrl + " 200").endsWith(" trace " + narRequest.traceId()));
            assertThat(narInfoRequest.traceId()).isNotEqualTo(narRequest.traceId());
            assertThat(spans).as(tree(spans)).allSatisfy(span -> assertThat(span.traceId())
                    .isIn(narInfoRequest.traceId(), narRequest.traceId()));

            List<Received> underNarInfo = descendants(spans, narInfoRequest);
            assertThat(underNarInfo).as(tree(spans)).anySatisfy(span -> {
                assertThat(span.name()).isEqualTo("upstream.lookupNarInfo");
                assertThat(span.parentSpanId()).isEqualTo(narInfoRequest.spanId());
                assertThat(span.attributes()).containsEntry("ncps.key", root);
            });
            assertThat(underNarInfo).as(tree(spans)).anySatisfy(span -> assertThat(span.name()).startsWith("index."));
            List<Received> underNar = descendants(spans, narRequest);
            assertThat(underNar).as(tree(spans)).anySatisfy(span -> {
                assertThat(span.name()).isEqualTo("upstream.openNar");
                assertThat(span.attributes()).containsEntry("server.address", upstream.url().getHost());
            });
            assertThat(underNar).as(tree(spans)).anySatisfy(span -> assertThat(span.name()).isEqualTo("store.put"));
            assertThat(underNarInfo.size() + underNar.size() + 2).as(tree(spans)).isEqualTo(spans.size());
        }
    }

    @Test
    void inAClusterTheLocksOfAColdMissAreSpansOfItsRequests() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(); UpstreamServer upstream = new UpstreamServer(cache.cacheDir());
             PostgresServer postgres = PostgresServer.start(); S3Server s3 = S3Server.start("ncps");
             HttpClient http = Http.client()) {
            Map<String, String> settings = new HashMap<>(InProcessNcps.sharedBackends(postgres.createDatabase().url(), s3,
                    "CACHE_LOCK_BACKEND", "postgres"));
            settings.putAll(traced(receiver));
            try (InProcessNcps ncps = InProcessNcps.start(upstream.url(), cache.publicKey(), settings)) {
                String narUrl = NarInfo.parse(Http.text(Http.get(http, ncps.url("/" + root + ".narinfo")))).url();
                assertThat(Http.get(http, ncps.url("/" + narUrl)).statusCode()).isEqualTo(200);
            }

            List<Received> spans = receiver.spans();
            List<Received> underNarInfo = descendants(spans, serverSpan(spans, "GET /{hash}.narinfo"));
            List<Received> underNar = descendants(spans, serverSpan(spans, "GET /nar/{hash}.nar"));
            assertThat(underNarInfo).as(tree(spans)).anySatisfy(span -> {
                assertThat(span.name()).startsWith("lock.");
                assertThat(span.attributes()).containsEntry("ncps.key", "download:narinfo:" + root);
            });
            assertThat(underNar).as(tree(spans)).anySatisfy(span -> {
                assertThat(span.name()).startsWith("lock.");
                assertThat(span.attributes().get("ncps.key")).startsWith("download:nar:");
            });
            // On S3 the upload runs alongside the download, under the same request.
            assertThat(underNar).as(tree(spans)).anySatisfy(span -> assertThat(span.name()).isEqualTo("store.putWhileWritten"));
            assertThat(spans).as(tree(spans)).noneSatisfy(span -> assertThat(span.name()).isEqualTo("store.overlapsUploads"));
        }
    }

    public static Map<String, String> traced(OtlpReceiver receiver) {
        return Map.of("OTEL_ENABLED", "true", "OTEL_GRPC_URL", receiver.url().toString());
    }

    /** The one server span of that name, the root of its trace. */
    public static Received serverSpan(List<Received> spans, String name) {
        List<Received> named = spans.stream().filter(s -> s.name().equals(name)).toList();
        assertThat(named).as(tree(spans)).hasSize(1);
        Received span = named.getFirst();
        assertThat(span.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
        return span;
    }

    /** The spans below {@code parent}, each checked to be in its trace. */
    public static List<Received> descendants(List<Received> spans, Received parent) {
        Set<String> ids = new java.util.HashSet<>(Set.of(parent.spanId()));
        List<Received> found = new java.util.ArrayList<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Received span : spans) {
                if (!found.contains(span) && ids.contains(span.parentSpanId())) {
                    assertThat(span.traceId()).isEqualTo(parent.traceId());
                    found.add(span);
                    ids.add(span.spanId());
                    grew = true;
                }
            }
        }
        return found;
    }

    /** The spans as an indented list, for failure messages. */
    public static String tree(List<Received> spans) {
        return spans.stream().map(s -> s.traceId().substring(0, 8) + " " + s.spanId() + " <- " + s.parentSpanId() + " "
                + s.name() + " " + s.attributes()).collect(Collectors.joining("\n", "spans:\n", "\n"));
    }
}
