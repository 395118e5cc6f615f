package dev.ncps.ops;

import dev.ncps.nix.NixParseException;
import dev.ncps.nix.StorePath;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ncps pin}, {@code ncps unpin} and {@code ncps pins}: clients of a running server's pin routes, so they work
 * against any instance of a cluster (the pins are in the shared index) and need no access to its database. Exit
 * codes as the other operations commands: 0 done, 1 the server refused or could not be reached (or, with
 * {@code --wait}, the closure could not be fetched), 2 bad command line.
 */
public final class PinCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern HASHES = Pattern.compile("\"([0-9a-z]{32})\"");
    private static final Pattern STATE = Pattern.compile("\"state\":\"([a-z]+)\"");
    private static final Pattern PATHS = Pattern.compile("\"paths\":(\\d+),\"fetched\":(\\d+)");
    private static final Pattern ERROR = Pattern.compile("\"error\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final URI server;
    private final String token;
    private final PrintStream out;
    private final PrintStream err;
    private final Duration pollInterval;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * @param server the server's base URL, e.g. http://ncps:8501
     * @param token the upload token (or the read token when only that is set); null or empty for none
     */
    public PinCommand(URI server, String token, PrintStream out, PrintStream err, Duration pollInterval) {
        this.server = server;
        this.token = token == null || token.isEmpty() ? null : token;
        this.out = out;
        this.err = err;
        this.pollInterval = pollInterval;
    }

    /** The server URL of the command line, or null (after saying why) when it is not an http(s) URL. */
    public static URI serverUrl(String text, PrintStream err) {
        try {
            URI uri = URI.create(text.endsWith("/") ? text : text + "/");
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        err.println("invalid value for --url: '" + text + "': expected the server's http:// or https:// URL, e.g. http://localhost:8501");
        return null;
    }

    /** Pins a path's closure; with {@code wait}, returns only once the closure is fetched (0) or could not be (1). */
    public int pin(String path, boolean wait) {
        String hash = hashOf(path);
        if (hash == null) return ExitCodes.USAGE;
        Answer answer = send("POST", "pin/" + hash + ".narinfo");
        if (answer == null) return ExitCodes.PROBLEMS;
        if (answer.status() != 200) return refused(answer);
        String state = field(STATE, answer.body());
        while (wait && "walking".equals(state)) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.PROBLEMS;
            }
            answer = send("GET", "pin/" + hash + ".narinfo");
            if (answer == null) return ExitCodes.PROBLEMS;
            if (answer.status() != 200) return refused(answer);
            state = field(STATE, answer.body());
        }
        out.println(describe(hash, answer.body()));
        return "failed".equals(state) ? ExitCodes.PROBLEMS : ExitCodes.OK;
    }

    public int unpin(String path) {
        String hash = hashOf(path);
        if (hash == null) return ExitCodes.USAGE;
        Answer answer = send("DELETE", "pin/" + hash + ".narinfo");
        if (answer == null) return ExitCodes.PROBLEMS;
        if (answer.status() != 200) return refused(answer);
        out.println(hash + ": " + answer.body().strip());
        return ExitCodes.OK;
    }

    /** One line per pinned root: its hash, state and progress. */
    public int list() {
        Answer answer = send("GET", "pins");
        if (answer == null) return ExitCodes.PROBLEMS;
        if (answer.status() != 200) return refused(answer);
        List<String> hashes = new ArrayList<>();
        Matcher m = HASHES.matcher(answer.body());
        while (m.find()) hashes.add(m.group(1));
        for (String hash : hashes) {
            Answer status = send("GET", "pin/" + hash + ".narinfo");
            if (status == null) return ExitCodes.PROBLEMS;
            // Unpinned since the list was read: nothing to show.
            if (status.status() == 200) out.println(describe(hash, status.body()));
        }
        return ExitCodes.OK;
    }

    /** {@code <hash> complete 4/4 paths} or {@code <hash> failed 1/3 paths: <reason>} */
    private static String describe(String hash, String json) {
        Matcher paths = PATHS.matcher(json);
        String progress = paths.find() ? " " + paths.group(2) + "/" + paths.group(1) + " paths" : "";
        String error = field(ERROR, json);
        return hash + " " + field(STATE, json) + progress + (error == null ? "" : ": " + error.replace("\\\"", "\"").replace("\\\\", "\\"));
    }

    private static String field(Pattern pattern, String json) {
        Matcher m = pattern.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** The hash part of a hash, a store path or a store path's base name; null (after saying why) for anything else. */
    private String hashOf(String path) {
        if (StorePath.isValidHashPart(path)) return path;
        try {
            return (path.startsWith("/") ? StorePath.parse(path) : StorePath.parseBaseName(path)).hashPart();
        } catch (NixParseException e) {
            err.println("not a store path or hash: " + path + " (" + e.getMessage() + ")");
            return null;
        }
    }

    private int refused(Answer answer) {
        err.println("the server answered " + answer.status() + ": " + answer.body().strip());
        return ExitCodes.PROBLEMS;
    }

    private record Answer(int status, String body) {}

    private Answer send(String method, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            // Basic with the token as password, as Nix's netrc sends it; the server takes either form.
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ncps:" + token).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            err.println("cannot reach " + server + ": " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
