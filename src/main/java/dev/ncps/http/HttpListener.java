package dev.ncps.http;

/**
 * What the HTTP server reports about requests; the metrics package turns it into series. Calls come from
 * Jetty's threads and must not block.
 */
public interface HttpListener {
    /** A request reached the handler. */
    void requestStarted();

    /** The request {@link #requestStarted() started} before ended, whatever its outcome. */
    void requestEnded();

    /**
     * A response is complete.
     *
     * @param route the route template, e.g. {@code /nar/{hash}.nar}: a small fixed set, fit for a label
     * @param method the request method, or {@code _OTHER} for one ncps does not know
     * @param status the response status
     * @param bytes body bytes sent
     * @param nanos from the request's first byte to the end of the response
     */
    void responded(String route, String method, int status, long bytes, long nanos);

    HttpListener NONE = new HttpListener() {
        @Override public void requestStarted() {}
        @Override public void requestEnded() {}
        @Override public void responded(String route, String method, int status, long bytes, long nanos) {}
    };
}
