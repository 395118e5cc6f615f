package dev.ncps.config;

/** An address in Go's {@code host:port} form. For a listen address an empty host means every interface. */
public record HostPort(String host, int port) {
    static final String LISTEN_FORM = "[host]:port with a port from 0 to 65535, e.g. :8501, 127.0.0.1:8501 or [::1]:8501";

    static HostPort parseListen(String text) throws InvalidValueException {
        HostPort parsed = split(text);
        if (parsed == null) {
            throw new InvalidValueException("expected " + LISTEN_FORM);
        }
        return parsed;
    }

    private static HostPort split(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            return null;
        }
        if (host.contains("/") || host.contains(" ")) {
            return null;
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port >= 0 && port <= 65535 ? new HostPort(host, port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
