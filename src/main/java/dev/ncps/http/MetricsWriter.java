package dev.ncps.http;

import java.io.IOException;
import java.io.OutputStream;

/** Renders the Prometheus exposition for {@code GET /metrics}. */
public interface MetricsWriter {
    String contentType();

    void write(OutputStream out) throws IOException;
}
