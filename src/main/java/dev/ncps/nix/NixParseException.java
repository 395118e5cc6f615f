package dev.ncps.nix;

import java.io.IOException;

/** Malformed Nix data: the message says where (line, field or offset) and what is wrong. */
public final class NixParseException extends IOException {
    public NixParseException(String message) { super(message); }
    public NixParseException(String message, Throwable cause) { super(message, cause); }
}
