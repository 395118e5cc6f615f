package dev.ncps.http;

import dev.ncps.cache.Cache;
import dev.ncps.cache.Pins;
import dev.ncps.nix.JsonString;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.charset.StandardCharsets;

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
        String method = request.getMethod();
        if (HttpMethod.POST.is(method)) {
            answer(request, response, callback, pins.pin(hash));
        } else if (HttpMethod.DELETE.is(method)) {
            switch (pins.unpin(hash)) {
                // 200 either way, as in the Go ncps: unpinning is idempotent; the body says which it was.
                case Pins.Unpinned unpinned -> CacheHandler.sendText(response, callback, HttpStatus.OK_200,
                        unpinned.removed() ? "unpinned" : "not pinned");
                case Cache.Unavailable unavailable -> CacheHandler.sendText(response, callback, unavailable.status(), unavailable.reason());
            }
        } else if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            answer(request, response, callback, pins.status(hash));
        } else {
            CacheHandler.sendText(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, method + " is not allowed on a pin");
        }
    }

    /** The pinned roots as a JSON array of hashes, as the Go ncps lists them. */
    void list(Request request, Response response, Callback callback) {
        switch (pins.roots()) {
            case Pins.PinnedRoots roots -> {
                StringBuilder json = new StringBuilder("[");
                for (String hash : roots.hashes()) {
                    if (json.length() > 1) {
                        json.append(',');
                    }
                    JsonString.append(hash, json);
                }
                sendJson(request, response, callback, json.append(']').toString());
            }
            case Cache.Unavailable unavailable -> CacheHandler.sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    private static void answer(Request request, Response response, Callback callback, Pins.PinResult result) {
        switch (result) {
            case Pins.Pinned pinned -> sendJson(request, response, callback, pinned.json());
            case Cache.NotFound notFound -> CacheHandler.sendText(response, callback, HttpStatus.NOT_FOUND_404, notFound.reason());
            case Cache.Unavailable unavailable -> CacheHandler.sendText(response, callback, unavailable.status(), unavailable.reason());
        }
    }

    private static void sendJson(Request request, Response response, Callback callback, String json) {
        CacheHandler.sendBytes(request, response, callback, JSON, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
