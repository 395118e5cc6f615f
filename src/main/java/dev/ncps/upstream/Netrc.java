package dev.ncps.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed netrc file: login and password per machine name, plus an optional {@code default} entry.
 *
 * <p>Grammar as in curl and inetutils: whitespace-separated tokens that may span lines; keywords
 * {@code machine NAME}, {@code default}, {@code login L}, {@code password P}, {@code account A} (ignored)
 * and {@code macdef NAME} (its body, up to the next empty line, is skipped). A token may be double-quoted
 * with {@code \"} and {@code \\} escapes so that it can hold spaces; {@code #} starts a comment at a token
 * boundary. The first entry of a machine wins, as in curl.
 */
public final class Netrc {

    /** Credentials for one host. {@link #toString()} hides the password. */
    public record Credentials(String login, String password) {
        @Override
        public String toString() {
            return "Credentials[login=" + login + ", password=***]";
        }
    }

    /** Malformed netrc content; the message names the line. */
    public static final class ParseException extends IOException {
        ParseException(String message) {
            super(message);
        }
    }

    private final Map<String, Credentials> machines;
    private final Credentials fallback;

    private Netrc(Map<String, Credentials> machines, Credentials fallback) {
        this.machines = Map.copyOf(machines);
        this.fallback = fallback;
    }

    static Netrc empty() {
        return new Netrc(Map.of(), null);
    }

    public static Netrc parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** @param source names the text in error messages (a file name) */
    public static Netrc parse(String text, String source) throws ParseException {
        return new Parser(text, source).parse();
    }

    /** The credentials for {@code host} (a host name without port, matched case-insensitively), else the default. */
    public Optional<Credentials> credentialsFor(String host) {
        Credentials found = machines.get(host.toLowerCase(Locale.ROOT));
        return Optional.ofNullable(found != null ? found : fallback);
    }

    private static final class Parser {
        private final String text;
        private final String source;
        private int pos;
        private int line = 1;

        private final Map<String, Credentials> machines = new LinkedHashMap<>();
        private Credentials fallback;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Netrc parse() throws ParseException {
            String machine = null;
            boolean inEntry = false;
            boolean isDefault = false;
            String login = null;
            String password = null;
            List<String> seen = new ArrayList<>();
            for (String token = next(); token != null; token = next()) {
                switch (token) {
                    case "machine", "default" -> {
                        if (inEntry) {
                            store(isDefault, machine, login, password);
                        }
                        inEntry = true;
                        isDefault = token.equals("default");
                        machine = isDefault ? null : value("machine");
                        login = null;
                        password = null;
                        seen.clear();
                    }
                    case "login", "password", "account" -> {
                        if (!inEntry) {
                            throw error("'" + token + "' before any 'machine' or 'default'");
                        }
                        if (seen.contains(token)) {
                            throw error("'" + token + "' given twice for " + entryName(isDefault, machine));
                        }
                        seen.add(token);
                        String value = value(token);
                        if (token.equals("login")) {
                            login = value;
                        } else if (token.equals("password")) {
                            password = value;
                        }
                    }
                    case "macdef" -> {
                        value("macdef");
                        skipMacroBody();
                    }
                    default -> throw error("unknown keyword '" + token
                            + "' (expected machine, default, login, password, account or macdef)");
                }
            }
            if (inEntry) {
                store(isDefault, machine, login, password);
            }
            return new Netrc(machines, fallback);
        }

        private void store(boolean isDefault, String machine, String login, String password) {
            Credentials credentials = new Credentials(login == null ? "" : login, password == null ? "" : password);
            if (isDefault) {
                if (fallback == null) {
                    fallback = credentials;
                }
            } else {
                machines.putIfAbsent(machine.toLowerCase(Locale.ROOT), credentials);
            }
        }

        private static String entryName(boolean isDefault, String machine) {
            return isDefault ? "default" : "machine " + machine;
        }

        private String value(String keyword) throws ParseException {
            int keywordLine = line;
            String value = next();
            if (value == null) {
                line = keywordLine;
                throw error("'" + keyword + "' without a value at the end of the file");
            }
            return value;
        }

        /** The next token, or null at the end; skips whitespace and comments. */
        private String next() throws ParseException {
            skipBlanksAndComments();
            if (pos >= text.length()) {
                return null;
            }
            return text.charAt(pos) == '"' ? quoted() : bare();
        }

        private void skipBlanksAndComments() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '#') {
                    while (pos < text.length() && text.charAt(pos) != '\n') {
                        pos++;
                    }
                } else if (Character.isWhitespace(c)) {
                    if (c == '\n') {
                        line++;
                    }
                    pos++;
                } else {
                    return;
                }
            }
        }

        private String bare() {
            int start = pos;
            while (pos < text.length() && !Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private String quoted() throws ParseException {
            int startLine = line;
            StringBuilder value = new StringBuilder();
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                if (c == '\n') {
                    line++;
                }
                value.append(c);
            }
            line = startLine;
            throw error("unterminated quoted token");
        }

        /** A macro body runs from the line after {@code macdef NAME} to the next empty line. */
        private void skipMacroBody() {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
            while (pos < text.length()) {
                int end = text.indexOf('\n', pos + 1);
                String nextLine = end < 0 ? text.substring(pos + 1) : text.substring(pos + 1, end);
                line++;
                pos = end < 0 ? text.length() : end;
                if (nextLine.isBlank()) {
                    return;
                }
            }
        }

        private ParseException error(String what) {
            return new ParseException(source + " line " + line + ": " + what);
        }
    }
}
