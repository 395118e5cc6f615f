package dev.ncps.http;

import dev.ncps.cache.Cache;
import dev.ncps.cache.Pins;
import dev.ncps.index.Index.PinStatus;
import dev.ncps.index.IndexException;
import dev.ncps.nix.JsonString;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The pin routes of the Go ncps, {@code POST}/{@code DELETE /pin/<hash>.narinfo} and {@code GET /pins}, plus
 * {@code GET /pin/<hash>.narinfo} for the state of a pin's closure. Answers are JSON; the caller has checked the
 * credentials (a pin or unpin is a write).
 */
final class PinRoutes {
    private static final String JSON = "application/json";

    private final Pins pins;

    PinRoutes(Pins pins) {
        this.pins = pins;
    }

    void pin(Request request, Response response, Callback callback, String hash) {
        try {
            pinRoute(request, response, callback, hash);
        } catch (IndexException e) {
            CacheHandler.sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "database unavailable");
        }
    }

    private void pinRoute(Request request, Response response, Callback callback, String hash) throws IndexException {
        String method = request.getMethod();
        if (HttpMethod.POST.is(method)) {
            switch (pins.pin(hash)) {
                case Pins.Pinned pinned -> sendJson(request, response, callback, json(pinned.status()));
                case Cache.NotFound notFound -> CacheHandler.sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
                case Cache.Unavailable unavailable -> CacheHandler.sendText(response, callback, unavailable.status(), unavailable.reason());
            }
        } else if (HttpMethod.DELETE.is(method)) {
            // 200 either way, as in the Go ncps: unpinning is idempotent; the body says which it was.
            CacheHandler.sendText(response, callback, HttpStatus.OK_200, pins.unpin(hash) ? "unpinned" : "not pinned");
        } else if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            Optional<PinStatus> status = pins.status(hash);
            if (status.isPresent()) {
                sendJson(request, response, callback, json(status.get()));
            } else {
                CacheHandler.sendText(response, callback, HttpStatus.NOT_FOUND_404, "not pinned");
            }
        } else {
            CacheHandler.sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed on a pin");
        }
    }

    /** The pinned roots as a JSON array of hashes, as the Go ncps lists them. */
    void list(Request request, Response response, Callback callback) {
        List<PinStatus> all;
        try {
            all = pins.all();
        } catch (IndexException e) {
            CacheHandler.sendText(response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, "database unavailable");
            return;
        }
        StringBuilder json = new StringBuilder("[");
        for (PinStatus pin : all) {
            if (json.length() > 1) {
                json.append(',');
            }
            JsonString.append(pin.hash(), json);
        }
        sendJson(request, response, callback, json.append(']').toString());
    }

    /** {@code {"hash":…,"state":"walking|complete|failed","paths":N,"fetched":N,"pinnedAt":…[,"error":…]}} */
    static String json(PinStatus status) {
        StringBuilder json = new StringBuilder("{\"hash\":");
        JsonString.append(status.hash(), json);
        json.append(",\"state\":");
        JsonString.append(status.state().dbName(), json);
        json.append(",\"paths\":").append(status.paths()).append(",\"fetched\":").append(status.fetched());
        json.append(",\"pinnedAt\":");
        JsonString.append(status.pinnedAt().toString(), json);
        if (status.error() != null) {
            json.append(",\"error\":");
            JsonString.append(status.error(), json);
        }
        return json.append('}').toString();
    }

    private static void sendJson(Request request, Response response, Callback callback, String json) {
        CacheHandler.sendBytes(request, response, callback, JSON, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
